// The worked numbers of SPEC.md sections 2.4, 2.5 (rating side), 3.4 and section 5 items 16-23,
// each as a test. Money is compared as exact strings.
import { describe, expect, it } from 'vitest';
import {
  compareRatings,
  computePeriodCharges,
  createRater,
  parseRatePlan,
  rateRecord,
  resolvePlanAssignment,
  resolveRatingPlans,
  type PlanAssignment,
  type RatePlan,
  type RatingResult,
  type UsageRecord,
} from '../../../domain/rating/index';
import { rated } from './builders';


const context = (plans: RatePlan[], overrides: Array<{ planId: string; rateId: string; price: string }> = []) => ({
  plans,
  overrides,
  asOf: '2024-04-01T00:00:00Z',
  timeZone: 'Asia/Nicosia',
});

// CRM.COM PPV (SPEC 2.4 and item 17): base 10.00, tier 5.00 between 00:01 and 06:59 inclusive.
const ppvPlan = parseRatePlan({
  id: 'ppv', version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 },
  windows: [{ name: 'night', opensAt: '00:01', closesAt: '06:59', closesAtInclusive: true }],
  rates: [
    { id: 'movie', usageType: 'ppv', unit: 'order', price: '10.00' },
    { id: 'movie-night', usageType: 'ppv', unit: 'order', price: '5.00', window: 'night' },
  ],
});
const order = (localTime: string): UsageRecord => ({ id: `ppv-${localTime}`, start: `2024-03-04T${localTime}+02:00`, usageType: 'ppv' });

describe('SPEC 2.4 / item 17: a rate with a time window applies only inside it', () => {
  it.each<[string, string]>([
    ['03:15:00', '5.00'],
    ['20:00:00', '10.00'],
    ['00:01:00', '5.00'],
    ['06:59:59', '5.00'],
    ['00:00:59', '10.00'],
    ['07:00:00', '10.00'],
  ])('an order at %s local costs %s', (time, amount) => {
    expect(rated(rateRecord(order(time), context([ppvPlan]))).amount).toBe(amount);
  });
});

describe('SPEC 2.4 / item 18: all tier conditions must hold, otherwise the base rate', () => {
  const tierPlan = parseRatePlan({
    id: 'tiers', version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 },
    rates: [
      { id: 'base', usageType: 'download', unit: 'GB', price: '2.00' },
      {
        id: 'tier', usageType: 'download', unit: 'GB', price: '1.00',
        when: [
          { attribute: 'quantity', range: { min: '1', max: '10' } },
          { attribute: 'device', equals: 'set-top-box' },
          { attribute: 'usageMethod', equals: 'download' },
          { attribute: 'sourceCategory', equals: 'vod' },
          { attribute: 'destinationCategory', equals: 'home' },
          { attribute: 'recordType', equals: 'movie' },
        ],
      },
    ],
  });
  const matching: UsageRecord = {
    id: 'u', start: '2024-03-04T10:00:00Z', usageType: 'download', quantity: '4', unit: 'GB',
    device: 'set-top-box', usageMethod: 'download', sourceCategory: 'vod', destinationCategory: 'home', recordType: 'movie',
  };

  it.each<[string, Partial<UsageRecord>, string]>([
    ['every condition holds', {}, '4.00'],
    ['usage below the minimum', { quantity: '0.5' }, '1.00'],
    ['usage above the maximum', { quantity: '11' }, '22.00'],
    ['another device', { device: 'phone' }, '8.00'],
    ['another usage method', { usageMethod: 'rental' }, '8.00'],
    ['another source category', { sourceCategory: 'live' }, '8.00'],
    ['another destination category', { destinationCategory: 'office' }, '8.00'],
    ['another record type', { recordType: 'series' }, '8.00'],
    ['a missing device', { device: undefined }, '8.00'],
  ])('%s: %s', (_name, change, amount) => {
    expect(rated(rateRecord({ ...matching, ...change }, context([tierPlan]))).amount).toBe(amount);
  });
});

// Emersion tariff hierarchy (SPEC 3.4 and item 16).
const basePlan = parseRatePlan({
  id: 'base', version: 1, currency: 'AUD', rounding: { method: 'half-up', decimals: 2 },
  rates: [{ id: 'national', usageType: 'voice', unit: 'minute', price: '0.40' }, { id: 'fax', usageType: 'fax', unit: 'minute', price: '0.50' }],
});
const parentPlan = parseRatePlan({
  id: 'mobile', version: 1, currency: 'AUD', rounding: { method: 'half-up', decimals: 2 }, parent: { id: 'base' },
  rates: [{ id: 'mobile', usageType: 'voice', unit: 'minute', price: '0.25' }],
});
const childWithRate = parseRatePlan({
  id: 'mobile-premium', version: 1, currency: 'AUD', rounding: { method: 'half-up', decimals: 2 }, parent: { id: 'mobile' },
  rates: [{ id: 'premium', usageType: 'voice', unit: 'minute', price: '0.30' }],
});
const childWithoutRate = parseRatePlan({
  id: 'mobile-premium', version: 2, currency: 'AUD', rounding: { method: 'half-up', decimals: 2 }, parent: { id: 'mobile' },
  rates: [],
});
const parentOverride = [{ planId: 'mobile', rateId: 'mobile', price: '0.20' }];
const minuteCall: UsageRecord = { id: 'call', start: '2024-03-04T10:00:00Z', usageType: 'voice', durationSeconds: '60' };

describe('SPEC 3.4 / item 16: child tariff -> parent -> base, an override beats the rate at its level', () => {
  it('the child rate of $0.30 beats the parent override of $0.20', () => {
    const result = rated(rateRecord(minuteCall, context([childWithRate, parentPlan, basePlan], parentOverride)));
    expect([result.amount, result.trace.rate?.rate.rateId, result.trace.rate?.rate.level]).toEqual(['0.30', 'premium', 0]);
  });

  it('with no child rate, the parent override of $0.20 is used', () => {
    const result = rated(rateRecord(minuteCall, context([childWithoutRate, parentPlan, basePlan], parentOverride)));
    expect([result.amount, result.trace.rate?.rate.rateId, result.trace.rate?.rate.override]).toEqual(['0.20', 'mobile', true]);
  });

  it('with no override, the parent card rate; with no parent rate, the base tariff', () => {
    expect(rated(rateRecord(minuteCall, context([childWithoutRate, parentPlan, basePlan]))).amount).toBe('0.25');
    const fax = rated(rateRecord({ ...minuteCall, usageType: 'fax' }, context([childWithoutRate, parentPlan, basePlan], parentOverride)));
    expect([fax.amount, fax.trace.rate?.rate.level]).toEqual(['0.50', 2]);
  });

  it('with a rate nowhere in the chain the record fails NO_RATE (item 12)', () => {
    expect(rateRecord({ ...minuteCall, usageType: 'satellite' }, context([childWithoutRate, parentPlan, basePlan]))).toMatchObject({ status: 'failed', reason: 'NO_RATE' });
  });
});

describe('SPEC 3.4 / item 20: an included quota is used before charging', () => {
  it('quota 10,000 MB, usage 10,450 MB, excess $0.01/MB: $4.50', () => {
    const plan = parseRatePlan({
      id: 'data', version: 1, currency: 'AUD', rounding: { method: 'half-up', decimals: 2 },
      charges: [{ id: 'data', usageType: 'data', unit: 'MB', model: 'includedQuota', quota: '10000', excessUnitPrice: '0.01' }],
    });
    const sessions: UsageRecord[] = ['4000', '5000', '1450'].map((quantity, index) => ({ id: `d${index}`, start: `2024-03-0${index + 1}T10:00:00Z`, usageType: 'data', quantity, unit: 'MB' }));
    const rate = createRater(context([plan]));
    const charges = computePeriodCharges({ plans: [plan], items: sessions.map((record) => ({ record, result: rate(record) })) });
    expect(charges.lines.map((line) => [line.quantity, line.amount])).toEqual([['10450', '4.50']]);
    expect(charges.total).toBe('4.50');
  });
});

describe('SPEC 2.4 / item 19: a pre-rated record keeps its amount; only configured discounts change it', () => {
  const plan = (discounts?: RatePlan['discounts']) => parseRatePlan({
    id: 'resale', version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 },
    rates: [{ id: 'movie', usageType: 'ppv', unit: 'order', price: '99.00' }],
    discounts,
  });
  const external: UsageRecord = { id: 'x', start: '2024-03-04T10:00:00Z', usageType: 'ppv', prerated: { amount: '7.5', schema: 'EXTERNAL' } };

  it('keeps 7.50 whatever the plan rate', () => {
    const result = rated(rateRecord(external, context([plan()])));
    expect([result.amount, result.flags]).toEqual(['7.50', ['PRERATED']]);
  });

  it('keeps even an amount with more decimals than the plan rounds to', () => {
    expect(rated(rateRecord({ ...external, prerated: { amount: '0.123456', schema: 'EXTERNAL' } }, context([plan()]))).amount).toBe('0.123456');
  });

  it('applies a configured discount', () => {
    const discounted = plan([{ id: 'promo', level: 'record', kind: 'percentage', percent: '10', appliesTo: 'prerated' }]);
    expect(rated(rateRecord(external, context([discounted]))).amount).toBe('6.75');
  });

  it('ignores a discount configured for rated records only', () => {
    const ratedOnly = plan([{ id: 'promo', level: 'record', kind: 'percentage', percent: '10', appliesTo: 'rated' }]);
    expect(rated(rateRecord(external, context([ratedOnly]))).amount).toBe('7.50');
  });

  describe('markups give one record its cost, price and margin (Connect CR / PR / TR)', () => {
    const chain = parseRatePlan({
      id: 'connect', version: 1, currency: 'USD', rounding: { method: 'half-up', decimals: 2 },
      markups: { parties: [{ party: 'vendor' }, { party: 'distributor', markupPercent: '20' }, { party: 'reseller', markupPercent: '25' }] },
    });
    const record = (schema: 'CR' | 'PR' | 'TR', amount: string): UsageRecord => ({ id: schema, start: '2024-03-04T10:00:00Z', usageType: 'seat', quantity: '1', prerated: { amount, schema, tier: schema === 'TR' ? 1 : undefined } });

    it.each<['CR' | 'PR' | 'TR', string, string, string | undefined, string | undefined, string[]]>([
      ['CR', '100.00', '150.00', '100.00', '50.00', ['100.00', '120.00', '150.00']],
      ['PR', '150.00', '150.00', '100.00', '50.00', ['100.00', '120.00', '150.00']],
      ['PR', '10.00', '10.00', '6.67', '3.33', ['6.67', '8.00', '10.00']],
      ['TR', '42.00', '42.00', undefined, undefined, []],
    ])('%s supplied %s: price %s, cost %s, margin %s', (schema, supplied, price, cost, margin, parties) => {
      const result = rated(rateRecord(record(schema, supplied), context([chain])));
      expect([result.amount, result.cost, result.margin]).toEqual([price, cost, margin]);
      expect(result.trace.prerated?.parties.map((party) => party.amount)).toEqual(parties);
    });
  });
});

describe('SPEC 2.4 / item 21: additive discounts apply on top of the plan rate, several on one charge', () => {
  it('percentage, fixed amount and free units together', () => {
    const plan = parseRatePlan({
      id: 'ppv', version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 },
      rates: [{ id: 'movie', usageType: 'ppv', unit: 'order', price: '10.00' }],
      discounts: [
        { id: 'amount', level: 'period', kind: 'fixed', amount: '2.00' },
        { id: 'percentage', level: 'period', kind: 'percentage', percent: '10' },
        { id: 'free', level: 'period', kind: 'freeUsage', quantity: '1', unit: 'order' },
      ],
    });
    const orders = ['01', '02', '03'].map((day): UsageRecord => ({ id: `o${day}`, start: `2024-03-${day}T20:00:00Z`, usageType: 'ppv' }));
    const rate = createRater(context([plan]));
    const charges = computePeriodCharges({ plans: [plan], items: orders.map((record) => ({ record, result: rate(record) })) });
    // 30.00 - first order free (10.00) = 20.00; -10% = 18.00; -2.00 = 16.00
    expect(charges.lines.map((line) => [line.kind, line.amount])).toEqual([['usage', '30.00'], ['discount', '-10.00'], ['discount', '-2.00'], ['discount', '-2.00']]);
    expect(charges.total).toBe('16.00');
  });
});

describe('SPEC 2.5 (rating side): the amounts the billing triggers compare', () => {
  const plan = parseRatePlan({
    id: 'udr', version: 1, currency: 'EUR', rounding: { method: 'half-up', decimals: 2 },
    rates: [{ id: 'service', usageType: 'service', unit: 'unit', price: '5.00' }],
  });

  it('nineteen UDRs of 5.00 total 95.00; the twentieth worth 10.00 takes the unbilled total to 105.00', () => {
    const rate = createRater(context([plan]));
    const udrs = Array.from({ length: 20 }, (_, index): UsageRecord => ({
      id: `udr-${String(index + 1).padStart(2, '0')}`, start: `2024-03-${String(index + 1).padStart(2, '0')}T10:00:00Z`, usageType: 'service', quantity: index === 19 ? '2' : '1', unit: 'unit',
    }));
    const items = udrs.map((record) => ({ record, result: rate(record) }));
    expect(computePeriodCharges({ plans: [plan], items: items.slice(0, 19) }).total).toBe('95.00');
    expect(rated(items[19]?.result as RatingResult).amount).toBe('10.00');
    expect(computePeriodCharges({ plans: [plan], items }).total).toBe('105.00');
  });

  it('a prepaid order is rated 10.00 before the wallet is checked', () => {
    const result = rated(rateRecord({ id: 'order', start: '2024-03-04T10:00:00Z', usageType: 'service', quantity: '2', unit: 'unit' }, context([plan])));
    expect(result.amount).toBe('10.00');
  });
});

describe('item 22: a what-if run rates the same records under a second plan and reports both totals', () => {
  it('reports both totals and the delta, and changes nothing it was given', () => {
    const cheaper = parseRatePlan({ ...ppvPlan, id: 'ppv-promo', rates: [{ id: 'movie', usageType: 'ppv', unit: 'order', price: '8.00' }], windows: [] });
    const records = Object.freeze([order('03:15:00'), order('20:00:00')].map((record) => Object.freeze({ ...record, account: 'acme' })));
    const before = JSON.stringify([records, ppvPlan, cheaper]);
    const result = compareRatings(records, { current: ppvPlan, promo: cheaper }, { asOf: '2024-04-01T00:00:00Z', timeZone: 'Asia/Nicosia' });
    expect(result.totals.map((total) => [total.plan, total.amount, total.delta])).toEqual([['current', '15.00', '0'], ['promo', '16.00', '1']]);
    expect(JSON.stringify([records, ppvPlan, cheaper])).toBe(before);
  });
});

describe('item 23: rate plans resolve most specific first', () => {
  const assignments: PlanAssignment[] = [
    { planId: 'global', scope: 'global' },
    { planId: 'group', scope: 'customerGroup', targetId: 'smb' },
    { planId: 'account', scope: 'account', targetId: 'acme' },
    { planId: 'subscription', scope: 'subscription', targetId: 'sub-1' },
  ];

  it.each<[string, { subscriptionId?: string; accountId?: string; customerGroupIds?: string[] }, string]>([
    ['subscription beats account', { subscriptionId: 'sub-1', accountId: 'acme', customerGroupIds: ['smb'] }, 'subscription'],
    ['customer-specific beats the group', { subscriptionId: 'sub-2', accountId: 'acme', customerGroupIds: ['smb'] }, 'account'],
    ['the group beats the global default', { accountId: 'other', customerGroupIds: ['smb'] }, 'group'],
    ['the global default otherwise', { accountId: 'other' }, 'global'],
  ])('%s', (_name, target, planId) => {
    expect(resolvePlanAssignment(assignments, target, '2024-03-04T10:00:00Z')?.planId).toBe(planId);
  });

  it('resolves the chain to rate with, or NO_PLAN', () => {
    const chain = resolveRatingPlans([{ planId: 'mobile-premium', scope: 'account', targetId: 'acme' }], [childWithRate, parentPlan, basePlan], { accountId: 'acme' }, '2024-03-04T10:00:00Z');
    expect(chain.ok && chain.plans.map((plan) => plan.id)).toEqual(['mobile-premium', 'mobile', 'base']);
    expect(resolveRatingPlans([], [basePlan], { accountId: 'acme' }, '2024-03-04T10:00:00Z')).toMatchObject({ ok: false, reason: 'NO_PLAN' });
  });
});
