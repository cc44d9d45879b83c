import { describe, expect, it } from 'vitest';
import {
  computePeriodCharges,
  createRater,
  type PeriodCharge,
  type RatePlan,
  type RatedUsage,
  type UsageRecord,
} from '../../../domain/rating/index';
import { aContext, aRate, aRatePlan } from './builders';

function rateAll(plan: RatePlan, records: UsageRecord[]): RatedUsage[] {
  const rate = createRater(aContext(plan));
  return records.map((record) => ({ record, result: rate(record) }));
}

function usage(usageType: string, quantities: string[], unit: string): UsageRecord[] {
  return quantities.map((quantity, index) => ({
    id: `${usageType}-${index}`,
    start: `2024-03-${String(1 + (index % 28)).padStart(2, '0')}T10:00:00Z`,
    usageType,
    quantity,
    unit,
  }));
}

function chargeTotal(charge: PeriodCharge, quantities: string[], decimals = 2): { total: string; details: unknown } {
  const plan = aRatePlan({ rounding: { method: 'half-up', decimals }, rates: [], charges: [charge] });
  const result = computePeriodCharges({ plans: [plan], items: rateAll(plan, usage(charge.usageType, quantities, charge.unit)) });
  return { total: result.total, details: result.lines[0]?.details };
}

const base = { id: 'c', usageType: 'storage', unit: 'GB' };

describe('pricing models', () => {
  it.each<[string, PeriodCharge, string[], string]>([
    ['standard: units * price', { ...base, model: 'standard', unitPrice: '0.023' }, ['100', '50.5'], '3.46'],
    ['package: price per started package after free units', { ...base, model: 'package', packageSize: '100', packagePrice: '5', freeUnits: '100' }, ['150', '101'], '10.00'],
    ['package: exactly the free units costs nothing', { ...base, model: 'package', packageSize: '100', packagePrice: '5', freeUnits: '100' }, ['100'], '0.00'],
    ['graduated: each tier prices its own units', {
      ...base, model: 'graduated', tiers: [{ from: '0', upTo: '100', unitPrice: '1' }, { from: '100', upTo: '200', unitPrice: '0.5', flatFee: '2' }, { from: '200', unitPrice: '0.1' }],
    }, ['250'], '157.00'],
    ['graduated: the boundary unit belongs to the lower tier (no flat fee above)', {
      ...base, model: 'graduated', tiers: [{ from: '0', upTo: '100', unitPrice: '1' }, { from: '100', unitPrice: '0.5', flatFee: '2' }],
    }, ['100'], '100.00'],
    ['volume: every unit at the tier reached, plus its flat fee', {
      ...base, model: 'volume', tiers: [{ from: '0', upTo: '100', unitPrice: '1' }, { from: '100', upTo: '200', unitPrice: '0.5', flatFee: '2' }, { from: '200', unitPrice: '0.1' }],
    }, ['150'], '77.00'],
    ['volume: at the boundary, the lower tier', { ...base, model: 'volume', tiers: [{ from: '0', upTo: '100', unitPrice: '1' }, { from: '100', unitPrice: '0.5' }] }, ['100'], '100.00'],
    ['graduated percentage of value', {
      ...base, unit: 'EUR', model: 'graduatedPercentage', tiers: [{ from: '0', upTo: '1000', ratePercent: '5' }, { from: '1000', ratePercent: '3', flatFee: '1' }],
    }, ['1500'], '66.00'],
    ['percentage: fee per event, free events, max per event', {
      ...base, unit: 'EUR', model: 'percentage', ratePercent: '2.9', fixedFeePerEvent: '0.30', freeEvents: 1, maxPerEvent: '25',
    }, ['100', '200', '2000'], '31.10'],
    ['percentage: free units over the first events, min per event', {
      ...base, unit: 'EUR', model: 'percentage', ratePercent: '1', freeUnits: '150', minPerEvent: '0.50',
    }, ['100', '100', '1000'], '10.50'],
    ['percentage: free units bounded by free events', {
      ...base, unit: 'EUR', model: 'percentage', ratePercent: '10', freeUnits: '1000', freeEvents: 1,
    }, ['100', '100'], '10.00'],
    ['included quota (Emersion: 10,000 MB, 10,450 MB at 0.01/MB)', { ...base, unit: 'MB', model: 'includedQuota', quota: '10000', excessUnitPrice: '0.01' }, ['6000', '4450'], '4.50'],
    ['included quota with usage charged inside it', { ...base, unit: 'MB', model: 'includedQuota', quota: '100', excessUnitPrice: '0.01', includedUnitPrice: '0.001' }, ['150'], '0.60'],
  ])('%s', (_name, charge, quantities, total) => {
    expect(chargeTotal(charge, quantities).total).toBe(total);
  });

  it('explains a graduated charge tier by tier', () => {
    const charge: PeriodCharge = { ...base, model: 'graduated', tiers: [{ from: '0', upTo: '100', unitPrice: '1' }, { from: '100', unitPrice: '0.5', flatFee: '2' }] };
    expect(chargeTotal(charge, ['150']).details).toEqual([
      { label: 'tier 1', quantity: '100', rate: '1', amount: '100' },
      { label: 'tier 2', quantity: '50', rate: '0.5', amount: '27' },
    ]);
  });

  it('converts record units into the charge unit', () => {
    const plan = aRatePlan({ rates: [], charges: [{ ...base, unit: 'MB', model: 'standard', unitPrice: '0.01' }] });
    const records = [...usage('storage', ['1'], 'GB'), ...usage('storage', ['500'], 'KB')];
    expect(computePeriodCharges({ plans: [plan], items: rateAll(plan, records) }).total).toBe('10.0050');
  });
});

describe('period lines', () => {
  const plan = aRatePlan({
    rounding: { method: 'half-up', decimals: 2 },
    rates: [aRate({ id: 'voice', price: '0.60' }), aRate({ id: 'sms', usageType: 'sms', unit: 'sms', price: '0.10' })],
    charges: [{ id: 'data', usageType: 'data', unit: 'MB', model: 'includedQuota', quota: '1000', excessUnitPrice: '0.01' }],
  });
  const records: UsageRecord[] = [
    { id: 'v1', start: '2024-03-01T10:00:00Z', usageType: 'voice', durationSeconds: '60', category: 'TELEPHONY' },
    { id: 'v2', start: '2024-03-02T10:00:00Z', usageType: 'voice', durationSeconds: '120', category: 'TELEPHONY' },
    { id: 's1', start: '2024-03-02T11:00:00Z', usageType: 'sms', category: 'TELEPHONY' },
    { id: 'd1', start: '2024-03-03T10:00:00Z', usageType: 'data', quantity: '1200', unit: 'MB', category: 'DATA' },
    { id: 'x1', start: '2024-03-03T10:00:00Z', usageType: 'fax' },
    { id: 'late', start: '2024-04-01T00:00:00Z', usageType: 'sms' },
  ];

  it('adds rated records per usage type, prices deferred ones, and says what it left out', () => {
    const result = computePeriodCharges({ plans: [plan], items: rateAll(plan, records), period: { startAt: '2024-03-01T00:00:00Z', endAt: '2024-04-01T00:00:00Z' } });
    expect(result.lines.map((line) => [line.id, line.kind, line.category, line.quantity, line.unit, line.records, line.amount])).toEqual([
      ['usage:sms:sms', 'usage', 'TELEPHONY', '1', 'sms', 1, '0.10'],
      ['usage:voice:second', 'usage', 'TELEPHONY', '180', 'second', 2, '1.80'],
      ['charge:data', 'charge', 'DATA', '1200', 'MB', 1, '2.00'],
    ]);
    expect(result.total).toBe('3.90');
    expect(result.recordsCounted).toBe(4);
    expect(result.excluded).toEqual([{ recordId: 'x1', reason: 'NO_RATE' }, { recordId: 'late', reason: 'OUTSIDE_PERIOD' }]);
  });

  it('does not depend on the order the records arrived in', () => {
    const items = rateAll(plan, records);
    const forward = computePeriodCharges({ plans: [plan], items });
    expect(computePeriodCharges({ plans: [plan], items: [...items].reverse() })).toEqual(forward);
  });
});

describe('period discounts and the minimum commitment', () => {
  const plan = (discounts: RatePlan['discounts'], minimumCommitment?: RatePlan['minimumCommitment']) =>
    aRatePlan({
      rounding: { method: 'half-up', decimals: 2 },
      rates: [aRate({ id: 'voice', unit: 'second', price: '0.01' }), aRate({ id: 'sms', usageType: 'sms', unit: 'sms', price: '0.10' })],
      charges: [{ id: 'storage', usageType: 'storage', unit: 'GB', model: 'graduated', tiers: [{ from: '0', upTo: '10', unitPrice: '1' }, { from: '10', unitPrice: '0.5' }] }],
      discounts,
      minimumCommitment,
    });
  const records: UsageRecord[] = [
    { id: 'v1', start: '2024-03-01T10:00:00Z', usageType: 'voice', durationSeconds: '100' },
    { id: 'v2', start: '2024-03-02T10:00:00Z', usageType: 'voice', durationSeconds: '300' },
    ...Array.from({ length: 5 }, (_, index): UsageRecord => ({ id: `s${index}`, start: `2024-03-0${index + 1}T12:00:00Z`, usageType: 'sms' })),
    { id: 'g1', start: '2024-03-05T10:00:00Z', usageType: 'storage', quantity: '20', unit: 'GB' },
  ];
  // Before discounts: voice 4.00, sms 0.50, storage 10 + 5 = 15.00; total 19.50.
  const charges = (discounts: RatePlan['discounts'], commitment?: RatePlan['minimumCommitment']) => {
    const subject = plan(discounts, commitment);
    return computePeriodCharges({ plans: [subject], items: rateAll(subject, records) });
  };
  const discountLines = (result: ReturnType<typeof charges>) =>
    result.lines.filter((line) => line.kind !== 'usage' && line.kind !== 'charge').map((line) => [line.id, line.amount]);

  it('free usage: the first units in usage-time order cost nothing', () => {
    const result = charges([
      { id: 'free-minutes', level: 'period', kind: 'freeUsage', quantity: '2', unit: 'minute', usageTypes: ['voice'] },
      { id: 'free-sms', level: 'period', kind: 'freeUsage', quantity: '3', unit: 'sms' },
      { id: 'free-storage', level: 'period', kind: 'freeUsage', quantity: '5', unit: 'GB' },
    ]);
    // 120 free seconds: all of v1 (1.00) and 20 s of v2 (0.20); 3 SMS; 5 GB re-priced as 15 GB: 12.50.
    expect(discountLines(result)).toEqual([
      ['discount:free-minutes:usage:voice:second', '-1.20'],
      ['discount:free-sms:usage:sms:sms', '-0.30'],
      ['discount:free-storage:charge:storage', '-2.50'],
    ]);
    expect(result.total).toBe('15.50');
  });

  it('several discounts on one charge apply in the documented order: free usage, percentages, fixed', () => {
    const result = charges([
      { id: 'fixed', level: 'period', kind: 'fixed', amount: '1.00', usageTypes: ['voice'] },
      { id: 'ten', level: 'period', kind: 'percentage', percent: '10', usageTypes: ['voice'] },
      { id: 'free', level: 'period', kind: 'freeUsage', quantity: '100', unit: 'second', usageTypes: ['voice'] },
    ]);
    // voice 4.00 - free 100 s (1.00) = 3.00; -10% = 2.70; -1.00 = 1.70
    expect(discountLines(result)).toEqual([
      ['discount:free:usage:voice:second', '-1.00'],
      ['discount:ten:usage:voice:second', '-0.30'],
      ['discount:fixed:usage:voice:second', '-1.00'],
    ]);
    expect(result.total).toBe('17.20');
  });

  it('a fixed amount is spread over the matching lines and never takes one below zero', () => {
    const result = charges([{ id: 'credit', level: 'period', kind: 'fixed', amount: '5.00', usageTypes: ['sms', 'voice'] }]);
    expect(discountLines(result)).toEqual([['discount:credit:usage:sms:sms', '-0.50'], ['discount:credit:usage:voice:second', '-4.00']]);
    expect(result.total).toBe('15.00');
  });

  it('tops up to the minimum commitment with a true-up line', () => {
    expect(discountLines(charges([], { amount: '25.00' }))).toEqual([['commitment', '5.50']]);
    expect(charges([], { amount: '25.00' }).total).toBe('25.00');
    expect(discountLines(charges([], { amount: '10.00' }))).toEqual([]);
  });
});
