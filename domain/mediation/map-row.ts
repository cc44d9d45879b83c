// Mapping one row with a compiled feed: the per-record hot path (see mapper.ts for the compiling).
import { parseInstant } from '../rating/calendar';
import { formatUtcInstant } from './date-time';
import { canonicalDecimal } from './decimal-text';
import type { CompiledFeed, MapError, MapOutcome } from './mapper';
import type { CanonicalRecord, RawRow } from './record';

function normalise(kind: 'instant' | 'decimal' | 'text', canonical: boolean, value: string): string | null {
  if (kind === 'text' || canonical) return value;
  if (kind === 'decimal') return canonicalDecimal(value);
  const instantMs = parseInstant(value);
  return instantMs === null ? null : formatUtcInstant(instantMs);
}

/**
 * Maps one raw row to a canonical record, or lists every field that failed. Instants come out as
 * ISO 8601 UTC with milliseconds; durationSeconds and quantity as canonical decimal strings
 * (exact, no rounding unless a convertUnit transform states it). `recordId` is used when the feed
 * maps no `id` (the caller's row reference). Never changes `raw`.
 */
export function mapCompiled(raw: RawRow, compiled: CompiledFeed, recordId?: string): MapOutcome {
  const record: Record<string, unknown> = {};
  let attributes: Record<string, string> | undefined;
  let errors: MapError[] | undefined;
  const plans = compiled.plans;
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i]!;
    const value = plan.read(raw);
    if (value === undefined) {
      if (plan.required) (errors ??= []).push({ field: plan.field, code: 'MISSING_FIELD', message: `${plan.field} is empty` });
      continue;
    }
    if (typeof value !== 'string') {
      (errors ??= []).push({ field: plan.field, code: value.code, message: `${plan.field}: ${value.message}` });
      continue;
    }
    const normalised = normalise(plan.kind, plan.canonical, value);
    if (normalised === null) {
      const code = plan.kind === 'instant' ? 'INVALID_DATE' : 'INVALID_DECIMAL';
      (errors ??= []).push({ field: plan.field, code, message: `${plan.field}: not ${plan.kind === 'instant' ? 'an ISO 8601 instant' : 'a non-negative decimal'}: ${value}` });
      continue;
    }
    if (plan.attribute !== null) (attributes ??= {})[plan.attribute] = normalised;
    else record[plan.field] = normalised;
  }
  if (record.id === undefined) {
    if (recordId === undefined) (errors ??= []).push({ field: 'id', code: 'MISSING_FIELD', message: 'the feed maps no id and none was given' });
    else record.id = recordId;
  }
  if (typeof record.end === 'string' && typeof record.start === 'string' && record.end < record.start) {
    (errors ??= []).push({ field: 'end', code: 'END_BEFORE_START', message: 'end is before start' });
  }
  if (errors !== undefined) return { ok: false, errors };
  if (attributes !== undefined) record.attributes = attributes;
  return { ok: true, record: record as unknown as CanonicalRecord };
}
