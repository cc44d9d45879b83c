// Identify: which service the record's identifier belongs to at the record time (SPEC §3.1 step 3),
// and, when none does, which inactive or end-dated service is the likely one (SPEC §5 item 10).
import type { CompiledContext, IdentifierEntry, ServiceSnapshot } from './context';
import type { CanonicalRecord } from './record';

export type IdentifyOutcome =
  | { ok: true; service: ServiceSnapshot }
  | { ok: false; reason: 'UNIDENTIFIED' | 'AMBIGUOUS_SERVICE'; message: string };

/** Why a service carrying the identifier did not identify the record. */
export type CandidateProblem =
  | 'SERVICE_INACTIVE'
  | 'SERVICE_NOT_STARTED'
  | 'SERVICE_ENDED'
  | 'IDENTIFIER_NOT_STARTED'
  | 'IDENTIFIER_ENDED'
  | 'CATEGORY_MISMATCH'
  | 'IDENTIFIER_TYPE_MISMATCH';

export interface Candidate {
  serviceId: string;
  problem: CandidateProblem;
  /** Milliseconds between the record time and the nearest instant the service/identifier was valid (0 when the dates cover it). */
  distanceMs: number;
}

function categoryOk(service: ServiceSnapshot, category: string): boolean {
  return service.categories === undefined || service.categories.includes(category);
}

/** The first thing wrong with `entry` for the record, or null when it identifies it. */
function problemOf(entry: IdentifierEntry, record: CanonicalRecord, category: string, atMs: number): CandidateProblem | null {
  if (entry.type !== record.serviceIdentifierType) return 'IDENTIFIER_TYPE_MISMATCH';
  if (entry.service.status !== 'ACTIVE') return 'SERVICE_INACTIVE';
  if (atMs < entry.serviceFromMs) return 'SERVICE_NOT_STARTED';
  if (atMs >= entry.serviceToMs) return 'SERVICE_ENDED';
  if (atMs < entry.fromMs) return 'IDENTIFIER_NOT_STARTED';
  if (atMs >= entry.toMs) return 'IDENTIFIER_ENDED';
  if (!categoryOk(entry.service, category)) return 'CATEGORY_MISMATCH';
  return null;
}

/**
 * The service whose identifier (same type and value) is valid at `atMs` (the record start), whose
 * own active period covers it, whose status is ACTIVE and whose categories take the record's. None:
 * UNIDENTIFIED; more than one service: AMBIGUOUS_SERVICE (fix the data, we never guess).
 */
export function identifyService(context: CompiledContext, record: CanonicalRecord, category: string, atMs: number): IdentifyOutcome {
  const entries = context.byIdentifier.get(record.serviceIdentifier);
  let found: ServiceSnapshot | null = null;
  if (entries !== undefined) {
    for (const entry of entries) {
      if (problemOf(entry, record, category, atMs) !== null) continue;
      if (found !== null && found.id !== entry.service.id) {
        return { ok: false, reason: 'AMBIGUOUS_SERVICE', message: `identifier ${record.serviceIdentifier} belongs to services ${found.id} and ${entry.service.id} at ${record.start}` };
      }
      found = entry.service;
    }
  }
  if (found === null) return { ok: false, reason: 'UNIDENTIFIED', message: `no active service has ${record.serviceIdentifierType} ${record.serviceIdentifier} at ${record.start}` };
  return { ok: true, service: found };
}

/** True when some service carries the identifier (same type) but none is active at `atMs`: the custom rule "outside the service's active period". */
export function outsideServicePeriod(context: CompiledContext, record: CanonicalRecord, atMs: number): boolean {
  const entries = context.byIdentifier.get(record.serviceIdentifier);
  if (entries === undefined) return false;
  let known = false;
  for (const entry of entries) {
    if (entry.type !== record.serviceIdentifierType) continue;
    known = true;
    if (entry.service.status === 'ACTIVE' && atMs >= entry.serviceFromMs && atMs < entry.serviceToMs && atMs >= entry.fromMs && atMs < entry.toMs) return false;
  }
  return known;
}

function distance(atMs: number, fromMs: number, toMs: number): number {
  if (atMs < fromMs) return fromMs - atMs;
  if (atMs >= toMs) return atMs - toMs + 1;
  return 0;
}

/**
 * For the quarantine view of an UNIDENTIFIED record: the service that carries the same identifier
 * value but failed for one reason (inactive, end-dated, not yet started, identifier end-dated, other
 * category or identifier type). Closest in time wins, then same identifier type, then service id.
 */
export function proposeCandidateCompiled(context: CompiledContext, record: CanonicalRecord, category: string, atMs: number): Candidate | null {
  const entries = context.byIdentifier.get(record.serviceIdentifier);
  if (entries === undefined) return null;
  let best: Candidate | null = null;
  let bestTypeMatch = false;
  for (const entry of entries) {
    const problem = problemOf(entry, record, category, atMs);
    if (problem === null) continue;
    const distanceMs = Math.max(distance(atMs, entry.serviceFromMs, entry.serviceToMs), distance(atMs, entry.fromMs, entry.toMs));
    const typeMatch = entry.type === record.serviceIdentifierType;
    const better =
      best === null ||
      distanceMs < best.distanceMs ||
      (distanceMs === best.distanceMs && typeMatch && !bestTypeMatch) ||
      (distanceMs === best.distanceMs && typeMatch === bestTypeMatch && entry.service.id < best.serviceId);
    if (better) {
      best = { serviceId: entry.service.id, problem, distanceMs };
      bestTypeMatch = typeMatch;
    }
  }
  return best;
}
