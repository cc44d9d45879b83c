import { describe, expect, it } from 'vitest';
import { createMediator, mediateBatch, proposeCandidate, type MediationContext } from '../../../domain/mediation/index';
import { aContext, aFeed, aPlan, aRecord, aService, aSubscription, PROCESSED_AT } from './builders';

const none = new Set<string>();

function mediate(record = aRecord(), context: MediationContext = aContext(), feed = aFeed()) {
  return createMediator(feed, context).mediate(record, none);
}

describe('a clean record', () => {
  it('passes every phase in order, each stamped with processedAt (SPEC item 60)', () => {
    const result = mediate();
    expect(result.status).toBe('COMPLETED');
    expect(result.reason).toBeNull();
    expect(result.trace.map((step) => [step.phase, step.outcome, step.at])).toEqual([
      ['categorise', 'passed', PROCESSED_AT],
      ['check', 'passed', PROCESSED_AT],
      ['identify', 'passed', PROCESSED_AT],
      ['bucket', 'passed', PROCESSED_AT],
      ['rate', 'passed', PROCESSED_AT],
      ['deduplicate', 'passed', PROCESSED_AT],
      ['assignOwner', 'passed', PROCESSED_AT],
    ]);
    expect(result).toMatchObject({ category: 'TELEPHONY', serviceId: 'svc-1', subscriptionId: 'sub-1', accountId: 'acc-1' });
    expect(result.period).toEqual({ startAt: '2024-03-01T00:00:00Z', endAt: '2024-04-01T00:00:00Z' });
    expect(result.rating).toMatchObject({ status: 'rated', amount: '0.1000', currency: 'GBP' });
    expect(result.ownership).toEqual({ status: 'UNASSIGNED' });
  });

  it('does not change the record it is given', () => {
    const record = aRecord();
    const copy = structuredClone(record);
    mediate(record);
    expect(record).toEqual(copy);
  });

  it('skips the rate phase when the context carries no rating inputs', () => {
    const result = mediate(aRecord(), aContext({ rating: undefined }));
    expect(result.status).toBe('COMPLETED');
    expect(result.rating).toBeNull();
    expect(result.trace.find((step) => step.phase === 'rate')?.outcome).toBe('skipped');
  });
});

describe('categorise (SPEC item 3): exactly one category, first match wins, else the default', () => {
  it.each([
    ['voice', 'TELEPHONY'],
    ['sms', 'TELEPHONY'],
    ['data', 'DATA'],
    ['equipment', 'MISC'],
  ])('usage type %s is %s', (usageType, category) => {
    const result = mediate(aRecord({ usageType, durationSeconds: '60' }), aContext({ rating: undefined }));
    expect(result.category).toBe(category);
    expect(result.trace[0]).toMatchObject({ phase: 'categorise', code: category });
  });

  it('the first matching rule wins when two match', () => {
    const feed = aFeed({
      categories: {
        extra: ['ROAMING'],
        rules: [
          { category: 'ROAMING', when: { field: 'destination', regex: '^\\+1' } },
          { category: 'TELEPHONY', when: { field: 'usageType', equals: 'voice' } },
        ],
        default: 'MISC',
      },
    });
    expect(mediate(aRecord({ destination: '+15550100' }), aContext({ rating: undefined }), feed).category).toBe('ROAMING');
    expect(mediate(aRecord(), aContext({ rating: undefined }), feed).category).toBe('TELEPHONY');
  });
});

describe('custom error rules', () => {
  const tooOld = aFeed({ errorRules: [{ code: 'TOO_OLD', action: 'quarantine', when: { olderThanDays: 90 } }] });
  const DAY_MS = 86_400_000;
  const daysBefore = (days: number, extraMs = 0) => new Date(Date.parse(PROCESSED_AT) - days * DAY_MS - extraMs).toISOString();
  const wideContext = aContext({
    rating: undefined,
    subscriptions: [aSubscription({ periods: [{ startAt: '2023-01-01T00:00:00Z', endAt: '2025-01-01T00:00:00Z', state: 'OPEN' }] })],
    services: [aService({ activeFrom: '2023-01-01T00:00:00Z', identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2023-01-01T00:00:00Z' }] })],
  });

  it.each([
    ['91 days old is quarantined (SPEC item 7)', daysBefore(91), 'QUARANTINED'],
    ['89 days old passes (SPEC item 7)', daysBefore(89), 'COMPLETED'],
    ['exactly 90 days old passes (older than = strictly more)', daysBefore(90), 'COMPLETED'],
    ['90 days and 1 ms is quarantined', daysBefore(90, 1), 'QUARANTINED'],
  ])('older than 90 days: %s', (_name, start, status) => {
    const result = mediate(aRecord({ start }), wideContext, tooOld);
    expect(result.status).toBe(status);
    if (status === 'QUARANTINED') {
      expect(result.reason).toBe('TOO_OLD');
      expect(result.rating).toBeNull();
      expect(result.trace.at(-1)).toMatchObject({ phase: 'check', outcome: 'failed', code: 'TOO_OLD' });
    }
  });

  it('a flag rule flags and continues: the record is still rated', () => {
    const feed = aFeed({ errorRules: [{ code: 'OLD_USAGE', action: 'flag', when: { olderThanDays: 5 } }] });
    const result = mediate(aRecord(), aContext(), feed);
    expect(result.status).toBe('COMPLETED');
    expect(result.flags).toEqual(['OLD_USAGE']);
    expect(result.rating?.status).toBe('rated');
    expect(result.trace[1]).toMatchObject({ phase: 'check', outcome: 'flagged', code: 'OLD_USAGE' });
  });

  it.each([
    ['voice with duration 0 is INCORRECT_DURATION (SPEC item 5)', { usageType: 'voice', durationSeconds: '0' }, 'INCORRECT_DURATION'],
    ['sms with duration 0 passes (allow-list)', { usageType: 'sms', durationSeconds: '0' }, null],
    ['voice with end = start is zero duration', { usageType: 'voice', durationSeconds: undefined, end: '2024-03-04T10:00:00.000Z' }, 'INCORRECT_DURATION'],
    ['voice with 0.001 s is not zero', { usageType: 'voice', durationSeconds: '0.001' }, null],
    ['a record stating no duration is not zero', { usageType: 'sms', durationSeconds: undefined, quantity: '1', unit: 'sms' }, null],
  ])('%s', (_name, overrides, reason) => {
    const result = mediate(aRecord(overrides), aContext({ rating: undefined }));
    expect(result.reason).toBe(reason);
  });

  it.each([
    ['the category just assigned', { field: 'category', equals: 'TELEPHONY' } as const, {}, true],
    ['another category', { field: 'category', equals: 'DATA' } as const, {}, false],
    ['a given transaction (record) type', { field: 'recordType', equals: 'TEST' } as const, { recordType: 'TEST' }, true],
    ['another record type', { field: 'recordType', equals: 'TEST' } as const, { recordType: 'LIVE' }, false],
    ['an attribute in a range (inclusive)', { field: 'attributes.cost', range: { min: '0', max: '10' } } as const, { attributes: { cost: '10' } }, true],
    ['an attribute above the range', { field: 'attributes.cost', range: { min: '0', max: '10' } } as const, { attributes: { cost: '10.01' } }, false],
    ['a missing field', { field: 'destination', present: false } as const, { destination: undefined }, true],
    ['all / not', { all: [{ field: 'usageType', equals: 'voice' }, { not: { field: 'destination', regex: '^\\+44' } }] } as const, { destination: '+15550100' }, true],
    ['any', { any: [{ field: 'usageType', equals: 'data' }, { inFuture: true }] } as const, { start: '2024-03-11T00:00:00.000Z' }, true],
  ])('rule predicate: %s', (_name, when, overrides, matches) => {
    const feed = aFeed({ errorRules: [{ code: 'CUSTOM', action: 'quarantine', when }] });
    expect(mediate(aRecord(overrides), aContext({ rating: undefined }), feed).reason).toBe(matches ? 'CUSTOM' : null);
  });

  it('outside the service active period: a custom code instead of UNIDENTIFIED when the service is end-dated', () => {
    const feed = aFeed({ errorRules: [{ code: 'SERVICE_INACTIVE_AT_USAGE', action: 'quarantine', when: { outsideServiceActivePeriod: true } }] });
    const ended = aContext({ rating: undefined, services: [aService({ activeTo: '2024-03-01T00:00:00Z' })] });
    expect(mediate(aRecord(), ended, feed).reason).toBe('SERVICE_INACTIVE_AT_USAGE');
    expect(mediate(aRecord(), aContext({ rating: undefined }), feed).status).toBe('COMPLETED');
    expect(mediate(aRecord({ serviceIdentifier: '+440000' }), aContext({ rating: undefined }), feed).reason).toBe('UNIDENTIFIED');
  });

  it('rules run in order: flags before the first quarantine rule are kept', () => {
    const feed = aFeed({
      errorRules: [
        { code: 'FLAG_A', action: 'flag', when: { field: 'usageType', equals: 'voice' } },
        { code: 'STOP', action: 'quarantine', when: { field: 'usageType', equals: 'voice' } },
        { code: 'FLAG_B', action: 'flag', when: { field: 'usageType', equals: 'voice' } },
      ],
    });
    const result = mediate(aRecord(), aContext(), feed);
    expect(result).toMatchObject({ status: 'QUARANTINED', reason: 'STOP', flags: ['FLAG_A'] });
  });
});

describe('identify (SPEC items 8, 10): a service active at the record time, honouring identifier validity', () => {
  const at = (start: string) => aRecord({ start });
  const context = (service: Partial<Parameters<typeof aService>[0]>) => aContext({ rating: undefined, services: [aService(service)] });

  it.each([
    ['identifier valid from exactly the record time (inclusive)', { identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2024-03-04T10:00:00Z' }] }, null],
    ['identifier valid from 1 s after', { identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2024-03-04T10:00:01Z' }] }, 'UNIDENTIFIED'],
    ['identifier valid to exactly the record time (exclusive)', { identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2024-01-01T00:00:00Z', validTo: '2024-03-04T10:00:00Z' }] }, 'UNIDENTIFIED'],
    ['identifier valid to 1 s after', { identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2024-01-01T00:00:00Z', validTo: '2024-03-04T10:00:01Z' }] }, null],
    ['service ended at the record time', { activeTo: '2024-03-04T10:00:00Z' }, 'UNIDENTIFIED'],
    ['service starts later', { activeFrom: '2024-03-05T00:00:00Z' }, 'UNIDENTIFIED'],
    ['service INACTIVE', { status: 'INACTIVE' as const }, 'UNIDENTIFIED'],
    ['identifier of another type', { identifiers: [{ type: 'IMSI', value: '+447700900001', validFrom: '2024-01-01T00:00:00Z' }] }, 'UNIDENTIFIED'],
    ['service of another category', { categories: ['DATA'] }, 'UNIDENTIFIED'],
    ['service of the same category', { categories: ['TELEPHONY', 'DATA'] }, null],
  ])('%s', (_name, service, reason) => {
    expect(mediate(at('2024-03-04T10:00:00.000Z'), context(service)).reason).toBe(reason);
  });

  it('an unknown identifier is UNIDENTIFIED, with no candidate', () => {
    const result = mediate(aRecord({ serviceIdentifier: '+449999' }), aContext({ rating: undefined }));
    expect(result).toMatchObject({ status: 'QUARANTINED', reason: 'UNIDENTIFIED', candidate: null });
  });

  it('two services with the same identifier at the same time: AMBIGUOUS_SERVICE, never a guess', () => {
    const result = mediate(aRecord(), aContext({ rating: undefined, services: [aService(), aService({ id: 'svc-2' })] }));
    expect(result.reason).toBe('AMBIGUOUS_SERVICE');
  });

  it('the identifier moved services: each record goes to the service that held it then', () => {
    const services = [
      aService({ id: 'old', identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2024-01-01T00:00:00Z', validTo: '2024-03-04T00:00:00Z' }] }),
      aService({ id: 'new', identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2024-03-04T00:00:00Z' }] }),
    ];
    const context = aContext({ rating: undefined, services });
    expect(mediate(aRecord({ start: '2024-03-03T23:59:59.000Z' }), context).serviceId).toBe('old');
    expect(mediate(aRecord({ start: '2024-03-04T00:00:00.000Z' }), context).serviceId).toBe('new');
  });

  it.each([
    ['end-dated service', { activeTo: '2024-03-01T00:00:00Z' }, 'SERVICE_ENDED'],
    ['inactive service', { status: 'INACTIVE' as const }, 'SERVICE_INACTIVE'],
    ['service not yet started', { activeFrom: '2024-03-05T00:00:00Z' }, 'SERVICE_NOT_STARTED'],
    ['end-dated identifier', { identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2024-01-01T00:00:00Z', validTo: '2024-02-01T00:00:00Z' }] }, 'IDENTIFIER_ENDED'],
  ])('the quarantine view proposes the %s as candidate (SPEC item 10)', (_name, service, problem) => {
    const result = mediate(aRecord(), context(service));
    expect(result.reason).toBe('UNIDENTIFIED');
    expect(result.candidate).toMatchObject({ serviceId: 'svc-1', problem });
    expect(proposeCandidate(aRecord(), 'TELEPHONY', context(service))).toEqual(result.candidate);
  });

  it('proposeCandidate prefers the service closest in time', () => {
    const services = [
      aService({ id: 'long-ago', activeFrom: '2020-01-01T00:00:00Z', activeTo: '2021-01-01T00:00:00Z' }),
      aService({ id: 'recent', activeFrom: '2023-01-01T00:00:00Z', activeTo: '2024-03-01T00:00:00Z' }),
    ];
    expect(proposeCandidate(aRecord(), 'TELEPHONY', aContext({ services }))?.serviceId).toBe('recent');
  });
});

describe('bucket (SPEC item 11): a billing period of the subscription, closed ones only within the grace', () => {
  const closedMarch = (lateGraceSeconds: number) =>
    aSubscription({ lateGraceSeconds, periods: [{ startAt: '2024-03-01T00:00:00Z', endAt: '2024-03-10T00:00:00Z', state: 'CLOSED' }] });

  it.each([
    ['record in an open period', aSubscription(), '2024-03-04T10:00:00.000Z', null],
    ['record at exactly a period start (inclusive)', aSubscription(), '2024-03-01T00:00:00.000Z', null],
    ['record before every period', aSubscription(), '2024-01-15T00:00:00.000Z', 'NO_PERIOD'],
    ['record after every period', aSubscription(), '2024-04-01T00:00:00.000Z', 'NO_PERIOD'],
    ['closed period, processed before end + grace', closedMarch(12 * 3600 + 1), '2024-03-09T23:00:00.000Z', null],
    ['closed period, processed at exactly end + grace (exclusive)', closedMarch(12 * 3600), '2024-03-09T23:00:00.000Z', 'NO_PERIOD'],
    ['closed period, no grace', closedMarch(0), '2024-03-09T23:00:00.000Z', 'NO_PERIOD'],
  ])('%s', (_name, subscription, start, reason) => {
    const services = [aService({ activeFrom: '2023-01-01T00:00:00Z', identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2023-01-01T00:00:00Z' }] })];
    const result = mediate(aRecord({ start }), aContext({ rating: undefined, services, subscriptions: [subscription] }));
    expect(result.reason).toBe(reason);
    if (reason) expect(result.trace.at(-1)).toMatchObject({ phase: 'bucket', outcome: 'failed' });
  });

  it('a service without a subscription is NO_PERIOD', () => {
    expect(mediate(aRecord(), aContext({ services: [aService({ subscriptionId: null })] })).reason).toBe('NO_PERIOD');
  });
});

describe('rate (SPEC item 12): the rating engine with the resolved plan chain', () => {
  it('no rate on the plan or its parents is NO_RATE, and the record rates once a rate is added', () => {
    const record = aRecord({ usageType: 'data', durationSeconds: undefined, quantity: '10', unit: 'MB' });
    const before = mediate(record);
    expect(before).toMatchObject({ status: 'QUARANTINED', reason: 'NO_RATE' });
    expect(before.trace.at(-1)).toMatchObject({ phase: 'rate', outcome: 'failed', code: 'NO_RATE' });
    const fixedPlan = aPlan({ rates: [{ id: 'data', usageType: 'data', unit: 'MB', price: '0.01' }] });
    const after = mediate(record, aContext({ rating: { assignments: [{ planId: 'plan', scope: 'global' }], planVersions: [fixedPlan], asOf: PROCESSED_AT } }));
    expect(after).toMatchObject({ status: 'COMPLETED', rating: { status: 'rated', amount: '0.1000' } });
  });

  it('a rate on the parent tariff is found (child -> parent)', () => {
    const parent = aPlan({ id: 'base', rates: [{ id: 'data', usageType: 'data', unit: 'MB', price: '0.02' }] });
    const child = aPlan({ parent: { id: 'base' } });
    const context = aContext({ rating: { assignments: [{ planId: 'plan', scope: 'global' }], planVersions: [child, parent], asOf: PROCESSED_AT } });
    expect(mediate(aRecord({ usageType: 'data', durationSeconds: undefined, quantity: '10', unit: 'MB' }), context).rating).toMatchObject({ amount: '0.2000' });
  });

  it('no plan assigned is NO_PLAN', () => {
    expect(mediate(aRecord(), aContext({ rating: { assignments: [], planVersions: [aPlan()], asOf: PROCESSED_AT } })).reason).toBe('NO_PLAN');
  });

  it('uses the subscription overrides', () => {
    const subscriptions = [aSubscription({ overrides: [{ planId: 'plan', rateId: 'voice', price: '0.20' }] })];
    expect(mediate(aRecord(), aContext({ subscriptions })).rating).toMatchObject({ amount: '0.2000' });
  });
});

describe('two defects (SPEC item 13)', () => {
  it('fails first for the service, then for the rate, and completes when both are fixed', () => {
    const record = aRecord({ serviceIdentifier: '+447700900777', origin: '+447700900777', usageType: 'data', durationSeconds: undefined, quantity: '5', unit: 'MB' });
    const noService = aContext();
    expect(mediate(record, noService).reason).toBe('UNIDENTIFIED');
    const serviceFixed = aContext({ services: [aService(), aService({ id: 'svc-777', identifiers: [{ type: 'MSISDN', value: '+447700900777', validFrom: '2024-01-01T00:00:00Z' }] })] });
    expect(mediate(record, serviceFixed).reason).toBe('NO_RATE');
    const bothFixed = { ...serviceFixed, rating: { assignments: [{ planId: 'plan', scope: 'global' as const }], planVersions: [aPlan({ rates: [{ id: 'data', usageType: 'data', unit: 'MB', price: '0.01' }] })], asOf: PROCESSED_AT } };
    expect(mediate(record, bothFixed)).toMatchObject({ status: 'COMPLETED', serviceId: 'svc-777' });
  });
});

describe('duplicates (SPEC item 6)', () => {
  it('the second copy (same identifier, start, duration, origin, destination) is DUPLICATE and never rated into a charge', () => {
    const results = mediateBatch(aFeed(), aContext(), [aRecord({ id: 'a' }), aRecord({ id: 'b' })]);
    expect(results.map((r) => r.status)).toEqual(['COMPLETED', 'QUARANTINED']);
    expect(results[1]).toMatchObject({ reason: 'DUPLICATE' });
    expect(results[1]?.trace.at(-1)).toMatchObject({ phase: 'deduplicate', outcome: 'failed' });
  });

  it.each([
    ['start', { start: '2024-03-04T10:00:01.000Z' }],
    ['duration', { durationSeconds: '61' }],
    ['origin', { origin: '+447700900002' }],
    ['destination', { destination: '+442071234568' }],
  ])('a different %s is not a duplicate', (_name, overrides) => {
    const results = mediateBatch(aFeed(), aContext(), [aRecord({ id: 'a' }), aRecord({ id: 'b', ...overrides })]);
    expect(results.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED']);
  });

  it('checks against keys accepted earlier, without changing them', () => {
    const accepted = new Set<string>();
    const first = mediateBatch(aFeed(), aContext(), [aRecord()], accepted);
    expect(accepted.size).toBe(0);
    const second = mediateBatch(aFeed(), aContext(), [aRecord({ id: 'again' })], [first[0]!.duplicateKey]);
    expect(second[0]?.reason).toBe('DUPLICATE');
  });

  it('a quarantined record does not block a later copy', () => {
    const results = mediateBatch(aFeed(), aContext({ rating: { assignments: [], planVersions: [], asOf: PROCESSED_AT } }), [aRecord({ id: 'a' }), aRecord({ id: 'b' })]);
    expect(results.map((r) => r.reason)).toEqual(['NO_PLAN', 'NO_PLAN']);
  });
});

describe('ownership (SPEC items 4, 54)', () => {
  const rules = [
    { id: 'finance', owner: { kind: 'COST_CENTRE' as const, id: 'CC-FIN' }, serviceIdentifier: '+447700900001', validTo: '2024-03-04T00:00:00Z' },
    { id: 'alice', owner: { kind: 'PERSON' as const, id: 'alice' }, serviceIdentifier: '+447700900001', validFrom: '2024-03-04T00:00:00Z' },
    { id: 'project', owner: { kind: 'PROJECT' as const, id: 'P-42' }, serviceIdentifier: '+447700900001', when: { field: 'attributes.project' as const, equals: 'P-42' } },
    { id: 'intl', owner: { kind: 'COST_CENTRE' as const, id: 'CC-INTL' }, when: { field: 'destination' as const, regex: '^\\+1' } },
  ];

  it.each([
    ['by identifier, rule in force at the record time', aRecord({ start: '2024-03-04T10:00:00.000Z' }), { kind: 'PERSON', id: 'alice' }],
    ['by identifier, the earlier rule before the change', aRecord({ start: '2024-03-03T23:59:59.000Z' }), { kind: 'COST_CENTRE', id: 'CC-FIN' }],
    ['identifier + attribute beats identifier alone', aRecord({ attributes: { project: 'P-42' } }), { kind: 'PROJECT', id: 'P-42' }],
    ['attribute-only rule for another identifier', aRecord({ serviceIdentifier: '+447700900009', destination: '+15550100' }), { kind: 'COST_CENTRE', id: 'CC-INTL' }],
  ])('%s', (_name, record, owner) => {
    const services = [aService({ identifiers: [{ type: 'MSISDN', value: record.serviceIdentifier, validFrom: '2024-01-01T00:00:00Z' }] })];
    const result = mediate(record, aContext({ services, ownershipRules: rules }));
    expect(result.ownership).toMatchObject({ status: 'ASSIGNED', owner });
  });

  it('no matching rule puts the record in the UNASSIGNED pool', () => {
    const result = mediate(aRecord(), aContext({ ownershipRules: [rules[3]!] }));
    expect(result).toMatchObject({ status: 'COMPLETED', ownership: { status: 'UNASSIGNED' } });
    expect(result.trace.at(-1)).toMatchObject({ phase: 'assignOwner', code: 'UNASSIGNED' });
  });
});
