import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../domain/errors';
import {
  allowedQuarantineActions,
  assignOwner,
  cleanseSelection,
  QUARANTINE_STATUSES,
  quarantineActions,
  quarantineTransition,
  type QuarantineAction,
  type QuarantineEntry,
  type QuarantineStatus,
} from '../../../domain/mediation/index';
import { aRecord } from './builders';

// The whole table: every (status, action) pair, legal ones with their target, the rest refused.
const LEGAL: Record<QuarantineStatus, Partial<Record<QuarantineAction, QuarantineStatus>>> = {
  QUARANTINED: { cleanse: 'CLEANSED', writeOff: 'WRITTEN_OFF', withdraw: 'WITHDRAWN' },
  CLEANSED: { claim: 'PENDING', pass: 'COMPLETED', fail: 'QUARANTINED', withdraw: 'WITHDRAWN' },
  PENDING: { pass: 'COMPLETED', fail: 'QUARANTINED' },
  COMPLETED: {},
  WITHDRAWN: {},
  WRITTEN_OFF: {},
};

const pairs = QUARANTINE_STATUSES.flatMap((status) => (Object.keys(quarantineActions) as QuarantineAction[]).map((action) => [status, action] as const));

describe('quarantine state machine (SPEC §3.3, items 14, 15)', () => {
  it.each(pairs.filter(([status, action]) => LEGAL[status][action] !== undefined))('%s --%s--> allowed', (status, action) => {
    expect(quarantineTransition(status, action)).toBe(LEGAL[status][action]);
  });

  it.each(pairs.filter(([status, action]) => LEGAL[status][action] === undefined))('%s --%s--> refused with ILLEGAL_TRANSITION', (status, action) => {
    let error: unknown;
    try {
      quarantineTransition(status, action);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'ILLEGAL_TRANSITION', details: { action, currentState: status } });
  });

  it('every target is one of the six statuses', () => {
    for (const rule of Object.values(quarantineActions)) expect(QUARANTINE_STATUSES).toContain(rule.to);
  });

  it.each([
    ['QUARANTINED', ['cleanse', 'writeOff', 'withdraw']],
    ['CLEANSED', ['withdraw']],
    ['PENDING', []],
    ['WRITTEN_OFF', []],
  ] as const)('a person may, in %s: %j', (status, actions) => {
    expect(allowedQuarantineActions(status)).toEqual(actions);
  });

  it('WRITTEN_OFF is terminal: never cleansed, claimed or passed (never billed, never retried)', () => {
    for (const action of Object.keys(quarantineActions) as QuarantineAction[]) expect(() => quarantineTransition('WRITTEN_OFF', action)).toThrow(DomainError);
  });

  it('names the record when given, so a refused batch says which one', () => {
    expect(() => quarantineTransition('COMPLETED', 'withdraw', 'L-1:3')).toThrow(expect.objectContaining({
      message: 'Cannot withdraw record L-1:3 in status COMPLETED; allowed from QUARANTINED, CLEANSED',
      details: { action: 'withdraw', currentState: 'COMPLETED', record: 'L-1:3' },
    }));
  });
});

describe('cleanseSelection (SPEC item 9)', () => {
  const entries: QuarantineEntry[] = [
    { id: 'q1', status: 'QUARANTINED', reason: 'UNIDENTIFIED', serviceIdentifier: 'X' },
    { id: 'q2', status: 'QUARANTINED', reason: 'NO_PERIOD', serviceIdentifier: 'Y' },
    { id: 'q3', status: 'QUARANTINED', reason: 'NO_RATE', serviceIdentifier: 'X' },
    { id: 'q4', status: 'WRITTEN_OFF', reason: 'UNIDENTIFIED', serviceIdentifier: 'X' },
    { id: 'q5', status: 'CLEANSED', reason: 'UNIDENTIFIED', serviceIdentifier: 'X' },
    { id: 'q6', status: 'QUARANTINED', reason: 'UNIDENTIFIED', serviceIdentifier: 'X' },
  ];

  it.each([
    ['one record with identifier X selects every quarantined X', ['q1'], ['q1', 'q3', 'q6']],
    ['a record with identifier Y selects only Y', ['q2'], ['q2']],
    ['choosing a written-off record selects nothing', ['q4'], []],
    ['choosing two identifiers selects both groups', ['q2', 'q3'], ['q1', 'q2', 'q3', 'q6']],
    ['nothing chosen, nothing selected', [], []],
  ])('%s', (_name, chosen, selected) => {
    expect(cleanseSelection(entries, chosen)).toEqual(selected);
  });
});

describe('assignOwner alone (SPEC item 4: a separate, re-runnable step)', () => {
  it('gives the same owners when run twice, and new owners when the rules change', () => {
    const records = [aRecord({ id: 'a' }), aRecord({ id: 'b', serviceIdentifier: 'other' })];
    const rules = [{ id: 'r', owner: { kind: 'PERSON' as const, id: 'alice' }, serviceIdentifier: '+447700900001' }];
    const first = assignOwner(records, rules, '2024-03-10T00:00:00Z');
    expect(first).toEqual([{ status: 'ASSIGNED', owner: { kind: 'PERSON', id: 'alice' }, ruleId: 'r' }, { status: 'UNASSIGNED' }]);
    expect(assignOwner(records, rules, '2024-03-10T00:00:00Z')).toEqual(first);
    const later = [...rules, { id: 'rest', owner: { kind: 'COST_CENTRE' as const, id: 'CC-1' } }];
    expect(assignOwner(records, later, '2024-03-10T00:00:00Z')[1]).toMatchObject({ status: 'ASSIGNED', ruleId: 'rest' });
  });
});
