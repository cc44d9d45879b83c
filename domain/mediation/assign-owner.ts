// Ownership as its own re-runnable step (SPEC §5 item 4): the same rules and resolution the gates'
// last phase uses, callable alone when the rules change, over records already stored.
import { DomainError } from '../errors';
import { parseInstant } from '../rating/calendar';
import { recordDurationMs } from '../rating/records';
import { assignOwnerCompiled, compileOwnership, type Ownership, type OwnershipRule } from './ownership';
import type { CanonicalRecord } from './record';

/**
 * Owners for records under `rules`, in input order. `processedAt` is only read by rules that use
 * age predicates. Rules compile once per call. Throws DomainError INVALID_RECORD for an unreadable start.
 */
export function assignOwner(records: readonly CanonicalRecord[], rules: readonly OwnershipRule[], processedAt: string): Ownership[] {
  const compiled = compileOwnership(rules);
  const processedAtMs = parseInstant(processedAt);
  if (processedAtMs === null) throw new DomainError('INVALID_CONTEXT', `processedAt is not an ISO 8601 instant: ${processedAt}`);
  return records.map((record) => {
    const startMs = parseInstant(record.start);
    if (startMs === null) throw new DomainError('INVALID_RECORD', `record ${record.id}: start is not an ISO 8601 instant`);
    const measured = recordDurationMs(record, startMs);
    return assignOwnerCompiled(compiled, record, {
      processedAtMs,
      startMs,
      durationMs: typeof measured === 'number' ? measured : null,
      category: record.category,
      outsideServiceActivePeriod: () => false,
    });
  });
}
