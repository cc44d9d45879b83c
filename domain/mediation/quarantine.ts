// The quarantine record state machine (SPEC §3.3, §5 items 9, 14, 15) as a table, and which
// records a cleanse selects. Every change goes through `quarantineTransition`; an action the
// current state does not allow is refused with ILLEGAL_TRANSITION and changes nothing.
import { IllegalTransitionError } from '../errors';

export const QUARANTINE_STATUSES = ['QUARANTINED', 'PENDING', 'CLEANSED', 'COMPLETED', 'WITHDRAWN', 'WRITTEN_OFF'] as const;
export type QuarantineStatus = (typeof QUARANTINE_STATUSES)[number];

export type QuarantineActor = 'user' | 'system';

interface Rule {
  readonly from: readonly QuarantineStatus[];
  readonly to: QuarantineStatus;
  readonly by: QuarantineActor;
}

/**
 * cleanse: a person marks the record fixed; it waits for reprocessing (CLEANSED).
 * claim: the reprocess run picks it up (PENDING), so two runs never take the same record.
 * pass / fail: the gates' outcome; fail sends it back with the (possibly new) reason.
 * writeOff: never billed, never retried (terminal). withdraw: the supplier withdrew the usage
 * (file replaced or cancelled); not billed, not a loss (terminal).
 */
export const quarantineActions = {
  cleanse: { from: ['QUARANTINED'], to: 'CLEANSED', by: 'user' },
  claim: { from: ['CLEANSED'], to: 'PENDING', by: 'system' },
  pass: { from: ['CLEANSED', 'PENDING'], to: 'COMPLETED', by: 'system' },
  fail: { from: ['CLEANSED', 'PENDING'], to: 'QUARANTINED', by: 'system' },
  writeOff: { from: ['QUARANTINED'], to: 'WRITTEN_OFF', by: 'user' },
  withdraw: { from: ['QUARANTINED', 'CLEANSED'], to: 'WITHDRAWN', by: 'user' },
} as const satisfies Record<string, Rule>;

export type QuarantineAction = keyof typeof quarantineActions;

export const TERMINAL_QUARANTINE_STATUSES: readonly QuarantineStatus[] = ['COMPLETED', 'WITHDRAWN', 'WRITTEN_OFF'];

/**
 * The status `action` leads to from `current`; throws IllegalTransitionError (code ILLEGAL_TRANSITION)
 * when not allowed, naming `record` (its ref) when given, so a refused batch says which record.
 */
export function quarantineTransition(current: QuarantineStatus, action: QuarantineAction, record?: string): QuarantineStatus {
  const rule: Rule = quarantineActions[action];
  if (!rule.from.includes(current)) {
    const what = record === undefined ? 'a quarantined record' : `record ${record}`;
    throw new IllegalTransitionError(action, current, `Cannot ${action} ${what} in status ${current}; allowed from ${rule.from.join(', ')}`, record === undefined ? {} : { record });
  }
  return rule.to;
}

/** Actions a person may take now. */
export function allowedQuarantineActions(current: QuarantineStatus): QuarantineAction[] {
  return (Object.keys(quarantineActions) as QuarantineAction[]).filter((action) => {
    const rule: Rule = quarantineActions[action];
    return rule.by === 'user' && rule.from.includes(current);
  });
}

export interface QuarantineEntry {
  id: string;
  status: QuarantineStatus;
  reason: string;
  serviceIdentifier: string;
}

/**
 * The entries a cleanse of `chosenIds` acts on: the chosen ones that are QUARANTINED, plus every
 * other QUARANTINED entry with the same service identifier value (SPEC §5 item 9), whatever its
 * reason. Entries in any other status are never selected, so a written-off record is never retried.
 * Ids in input order, each once.
 */
export function cleanseSelection(entries: readonly QuarantineEntry[], chosenIds: readonly string[]): string[] {
  const chosen = new Set(chosenIds);
  const identifiers = new Set<string>();
  for (const entry of entries) if (chosen.has(entry.id) && entry.status === 'QUARANTINED') identifiers.add(entry.serviceIdentifier);
  const selected: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (entry.status !== 'QUARANTINED' || seen.has(entry.id)) continue;
    if (chosen.has(entry.id) || identifiers.has(entry.serviceIdentifier)) {
      selected.push(entry.id);
      seen.add(entry.id);
    }
  }
  return selected;
}
