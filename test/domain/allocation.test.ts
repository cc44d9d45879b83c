import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  UNASSIGNED_OWNER_ID,
  allocate,
  allocationReport,
  assignOwner,
  ownerWithDescendants,
  periodBounds,
  usageReport,
  validateOwners,
  type AllocationRule,
  type Owner,
} from '../../domain/allocation';
import { formatPlain, money, sumMoney } from '../../domain/money';
import { codeOf } from '../helpers/domain-errors';


const owners: Owner[] = [
  { id: 'org', kind: 'organisation', parentId: null },
  { id: 'finance', kind: 'department', parentId: 'org' },
  { id: 'hr', kind: 'department', parentId: 'org' },
  { id: 'it', kind: 'department', parentId: 'org' },
  { id: 'cc-1', kind: 'costCentre', parentId: 'finance' },
  { id: 'alice', kind: 'person', parentId: 'cc-1' },
];

describe('allocate (SPEC §4.2, item 55)', () => {
  it('splits the shared printer 90.00 50/30/20 into 45.00, 27.00, 18.00', () => {
    const rule: AllocationRule = {
      kind: 'percentage',
      shares: [{ ownerId: 'finance', percent: '50' }, { ownerId: 'hr', percent: '30' }, { ownerId: 'it', percent: '20' }],
    };
    expect(allocate('90.00', rule)).toEqual([
      { ownerId: 'finance', amount: '45.00' },
      { ownerId: 'hr', amount: '27.00' },
      { ownerId: 'it', amount: '18.00' },
    ]);
  });

  it('splits 100.00 as 40.00 fixed to IT plus the rest 50/50: IT 70.00, Finance 30.00', () => {
    const rule: AllocationRule = {
      kind: 'fixedPlusRemainder',
      amounts: [{ ownerId: 'it', amount: '40.00' }],
      shares: [{ ownerId: 'it', percent: '50' }, { ownerId: 'finance', percent: '50' }],
    };
    expect(allocate('100.00', rule)).toEqual([
      { ownerId: 'it', amount: '70.00' },
      { ownerId: 'finance', amount: '30.00' },
    ]);
  });

  const thirds: AllocationRule = {
    kind: 'percentage',
    shares: [{ ownerId: 'a', percent: '33.3333' }, { ownerId: 'b', percent: '33.3334' }, { ownerId: 'c', percent: '33.3333' }],
  };
  it.each<[string, AllocationRule, string, string[]]>([
    ['remainder to the largest share', thirds, '100.00', ['33.33', '33.34', '33.33']],
    ['remainder to the largest share, 0.01', thirds, '0.01', ['0.00', '0.01', '0.00']],
    ['remainder to the first of equal shares', { kind: 'percentage', shares: [{ ownerId: 'a', percent: '50' }, { ownerId: 'b', percent: '50' }] }, '0.01', ['0.01', '0.00']],
    ['remainder to the named owner', { kind: 'percentage', shares: [{ ownerId: 'a', percent: '50' }, { ownerId: 'b', percent: '50' }], remainderOwnerId: 'b' }, '0.01', ['0.00', '0.01']],
    ['a credit splits negative', { kind: 'percentage', shares: [{ ownerId: 'a', percent: '50' }, { ownerId: 'b', percent: '50' }] }, '-0.03', ['-0.01', '-0.02']],
    ['sub-cent charge keeps its scale', { kind: 'percentage', shares: [{ ownerId: 'a', percent: '50' }, { ownerId: 'b', percent: '50' }] }, '0.0105', ['0.0053', '0.0052']],
    ['fixed amounts matching the whole', { kind: 'fixed', amounts: [{ ownerId: 'a', amount: '60' }, { ownerId: 'b', amount: '40' }] }, '100', ['60.00', '40.00']],
    ['fixed plus remainder on a credit', { kind: 'fixedPlusRemainder', amounts: [{ ownerId: 'a', amount: '40' }], shares: [{ ownerId: 'b', percent: '100' }] }, '-100', ['-40.00', '-60.00']],
  ])('%s', (_name, rule, amount, expected) => {
    const parts = allocate(amount, rule);
    expect(parts.map((p) => p.amount)).toEqual(expected);
    expect(sumMoney(parts.map((p) => p.amount)).equals(money(amount))).toBe(true);
  });

  it.each<[string, AllocationRule, string, string]>([
    ['percentages not summing to 100', { kind: 'percentage', shares: [{ ownerId: 'a', percent: '50' }, { ownerId: 'b', percent: '49.99' }] }, '10', 'ALLOCATION_PERCENT_SUM'],
    ['fixed amounts not matching', { kind: 'fixed', amounts: [{ ownerId: 'a', amount: '60' }] }, '100', 'ALLOCATION_FIXED_SUM'],
    ['fixed amounts exceeding the charge', { kind: 'fixedPlusRemainder', amounts: [{ ownerId: 'a', amount: '100.01' }], shares: [{ ownerId: 'b', percent: '100' }] }, '100', 'ALLOCATION_EXCEEDS_CHARGE'],
    ['a negative percent', { kind: 'percentage', shares: [{ ownerId: 'a', percent: '-10' }, { ownerId: 'b', percent: '110' }] }, '10', 'INVALID_ALLOCATION_RULE'],
    ['no shares', { kind: 'percentage', shares: [] }, '10', 'INVALID_ALLOCATION_RULE'],
    ['remainder owner without a share', { kind: 'percentage', shares: [{ ownerId: 'a', percent: '100' }], remainderOwnerId: 'z' }, '10', 'INVALID_ALLOCATION_RULE'],
  ])('refuses %s', (_name, rule, amount, code) => {
    expect(codeOf(() => allocate(amount, rule))).toBe(code);
  });

  it('property: parts sum exactly to the whole for any amount and any split', () => {
    const amountArb = fc
      .tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 6 }))
      .map(([units, scale]) => formatPlain(money(units.toString()).dividedBy(money('1' + '0'.repeat(scale)))));
    const weightsArb = fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 7 }).filter((w) => w.some((x) => x > 0));
    fc.assert(
      fc.property(amountArb, weightsArb, fc.integer({ min: 0, max: 4 }), (amount, weights, decimals) => {
        // Percentages summing to exactly 100: weights scaled, the last one takes what is left.
        const total = weights.reduce((a, b) => a + b, 0);
        const percents = weights.map((w) => money(String(w)).times(100).dividedBy(total).toDecimalPlaces(6, 1));
        const last = money('100').minus(percents.slice(0, -1).reduce((a, b) => a.plus(b), money('0')));
        percents[percents.length - 1] = last;
        const rule: AllocationRule = { kind: 'percentage', shares: percents.map((p, i) => ({ ownerId: `o${i}`, percent: formatPlain(p) })) };
        const parts = allocate(amount, rule, decimals);
        expect(formatPlain(sumMoney(parts.map((p) => p.amount)))).toBe(formatPlain(money(amount)));
        const scale = Math.max(decimals, (amount.split('.')[1] ?? '').length);
        for (const part of parts) expect((part.amount.split('.')[1] ?? '').length).toBe(scale);
      }),
    );
  });
});

describe('owners', () => {
  it('accepts the sample hierarchy', () => {
    expect(() => validateOwners(owners)).not.toThrow();
  });

  it.each<[string, Owner[]]>([
    ['duplicate id', [...owners, { id: 'hr', kind: 'department', parentId: 'org' }]],
    ['unknown parent', [...owners, { id: 'x', kind: 'project', parentId: 'nope' }]],
    ['department under a project', [...owners, { id: 'p', kind: 'project', parentId: 'org' }, { id: 'd', kind: 'department', parentId: 'p' }]],
    ['child of a person', [...owners, { id: 'p2', kind: 'person', parentId: 'alice' }]],
    ['cycle', [{ id: 'a', kind: 'department', parentId: 'b' }, { id: 'b', kind: 'department', parentId: 'a' }]],
    ['reserved id', [{ id: UNASSIGNED_OWNER_ID, kind: 'organisation', parentId: null }]],
  ])('refuses %s', (_name, list) => {
    expect(codeOf(() => validateOwners(list))).toBe('INVALID_OWNER_HIERARCHY');
  });

  it.each<[string | null, string]>([
    ['ext-100', 'alice'],
    ['ext-999', UNASSIGNED_OWNER_ID],
    [null, UNASSIGNED_OWNER_ID],
    ['toString', UNASSIGNED_OWNER_ID],
  ])('assigns identifier %j to %s (item 54)', (identifier, ownerId) => {
    expect(assignOwner(identifier, { 'ext-100': 'alice' })).toBe(ownerId);
  });
});

describe('allocationReport', () => {
  it('aggregates per period and owner, rolled up, with drill-down keys and charge ids', () => {
    const rows = allocationReport(
      [
        { period: '2024-03', chargeId: 'printer', parts: [{ ownerId: 'alice', amount: '45.00' }, { ownerId: 'hr', amount: '27.00' }, { ownerId: 'it', amount: '18.00' }] },
        { period: '2024-03', chargeId: 'phone', parts: [{ ownerId: 'cc-1', amount: '10.005' }, { ownerId: UNASSIGNED_OWNER_ID, amount: '2.00' }] },
        { period: '2024-04', chargeId: 'printer-4', parts: [{ ownerId: 'it', amount: '90.00' }] },
      ],
      owners,
    );
    expect(rows.map((r) => [r.period, r.drillDownKey, r.directAmount, r.totalAmount, r.chargeIds.join(',')])).toEqual([
      ['2024-03', 'UNASSIGNED', '2', '2', 'phone'],
      ['2024-03', 'org', '0', '100.005', ''],
      ['2024-03', 'org/finance', '0', '55.005', ''],
      ['2024-03', 'org/finance/cc-1', '10.005', '55.005', 'phone'],
      ['2024-03', 'org/finance/cc-1/alice', '45', '45', 'printer'],
      ['2024-03', 'org/hr', '27', '27', 'printer'],
      ['2024-03', 'org/it', '18', '18', 'printer'],
      ['2024-04', 'org', '0', '90', ''],
      ['2024-04', 'org/it', '90', '90', 'printer-4'],
    ]);
    expect(rows.find((r) => r.ownerId === 'alice')?.ownerKind).toBe('person');
    expect(rows[0]?.ownerKind).toBe('unassigned');
  });
});

describe('usageReport', () => {
  it('rolls usage up the hierarchy per currency, never adding currencies, with roots for owners outside it', () => {
    const rows = usageReport('2024-03', [
      { ownerId: 'alice', recordOwnerKind: 'PERSON', currency: 'GBP', amount: '1.2345', recordCount: 3 },
      { ownerId: 'cc-1', recordOwnerKind: 'COST_CENTRE', currency: 'GBP', amount: '0.10', recordCount: 1 },
      { ownerId: 'alice', recordOwnerKind: 'PERSON', currency: 'EUR', amount: '2.00', recordCount: 2 },
      { ownerId: 'bob', recordOwnerKind: 'PERSON', currency: 'GBP', amount: '0.30', recordCount: 1 },
      { ownerId: 'apollo', recordOwnerKind: 'PROJECT', currency: 'GBP', amount: '5', recordCount: 4 },
      { ownerId: null, recordOwnerKind: null, currency: 'GBP', amount: '0.0001', recordCount: 1 },
    ], owners);
    expect(rows.map((r) => [r.drillDownKey, r.ownerKind, r.depth, r.currency, r.directAmount, r.totalAmount, r.directRecordCount, r.totalRecordCount])).toEqual([
      ['UNASSIGNED', 'unassigned', 1, 'GBP', '0.0001', '0.0001', 1, 1],
      ['apollo', 'project', 1, 'GBP', '5', '5', 4, 4],
      ['bob', 'person', 1, 'GBP', '0.3', '0.3', 1, 1],
      ['org', 'organisation', 1, 'EUR', '0', '2', 0, 2],
      ['org', 'organisation', 1, 'GBP', '0', '1.3345', 0, 4],
      ['org/finance', 'department', 2, 'EUR', '0', '2', 0, 2],
      ['org/finance', 'department', 2, 'GBP', '0', '1.3345', 0, 4],
      ['org/finance/cc-1', 'costCentre', 3, 'EUR', '0', '2', 0, 2],
      ['org/finance/cc-1', 'costCentre', 3, 'GBP', '0.1', '1.3345', 1, 4],
      ['org/finance/cc-1/alice', 'person', 4, 'EUR', '2', '2', 2, 2],
      ['org/finance/cc-1/alice', 'person', 4, 'GBP', '1.2345', '1.2345', 3, 3],
    ]);
    expect(rows.every((r) => r.period === '2024-03')).toBe(true);
  });

  it('takes the hierarchy kind over the record kind, and keeps one id carried with two kinds apart outside it', () => {
    const rows = usageReport('2024-03', [
      { ownerId: 'hr', recordOwnerKind: 'PROJECT', currency: 'GBP', amount: '1', recordCount: 1 },
      { ownerId: 'x', recordOwnerKind: 'PERSON', currency: 'GBP', amount: '1', recordCount: 1 },
      { ownerId: 'x', recordOwnerKind: 'PROJECT', currency: 'GBP', amount: '2', recordCount: 1 },
    ], owners);
    expect(rows.map((r) => [r.drillDownKey, r.ownerKind, r.totalAmount])).toEqual([
      ['org', 'organisation', '1'], ['org/hr', 'department', '1'], ['x', 'person', '1'], ['x', 'project', '2'],
    ]);
  });

  it('is empty without usage', () => {
    expect(usageReport('2024-03', [], owners)).toEqual([]);
  });
});

describe('ownerWithDescendants', () => {
  it.each<[string, string[]]>([
    ['org', ['org', 'finance', 'hr', 'it', 'cc-1', 'alice']],
    ['finance', ['finance', 'cc-1', 'alice']],
    ['alice', ['alice']],
    ['nobody', ['nobody']],
    [UNASSIGNED_OWNER_ID, [UNASSIGNED_OWNER_ID]],
  ])('%s covers %j', (ownerId, ids) => {
    expect(ownerWithDescendants(owners, ownerId)).toEqual(ids);
  });
});

describe('periodBounds', () => {
  it.each<[string, string, string]>([
    ['2024-03', '2024-03-01T00:00:00.000Z', '2024-04-01T00:00:00.000Z'],
    ['2024-12', '2024-12-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z'],
    ['2024-02', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'],
  ])('%s is [%s, %s)', (period, startAt, endAt) => {
    expect(periodBounds(period)).toEqual({ startAt, endAt });
  });
});
