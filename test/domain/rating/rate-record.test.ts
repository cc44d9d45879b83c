import { describe, expect, it } from 'vitest';
import {
  createRater,
  rateRecord,
  type RatedRecord,
  type RatePlan,
  type RatingResult,
  type TimeTracePiece,
  type UsageRecord,
} from '../../../domain/rating/index';
import { aContext, aRate, aRatePlan, aRecord, rated } from './builders';


const timePieces = (result: RatedRecord) => result.trace.pieces as TimeTracePiece[];
const piecesSummary = (result: RatedRecord) => timePieces(result).map((piece) => [piece.rate.rateId, piece.durationSeconds, piece.billedSeconds, piece.amount]);

// Weekdays 08:00-18:00 peak at 0.60/min (0.01/s), otherwise 0.06/min (0.001/s); weekend 0.03/min.
const peakPlan = aRatePlan({
  windows: [
    { name: 'peak', weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], opensAt: '08:00', closesAt: '18:00', weight: 10 },
    { name: 'weekend', weekdays: ['sat', 'sun'], weight: 10 },
  ],
  rates: [
    aRate({ id: 'off-peak', price: '0.06' }),
    aRate({ id: 'peak', price: '0.60', window: 'peak' }),
    aRate({ id: 'weekend', price: '0.03', window: 'weekend' }),
  ],
});

describe('time-based usage is split where the rate in force changes', () => {
  const rate = createRater(aContext(peakPlan));

  it.each<[string, string, string, Array<[string, number, number, string]>, string]>([
    ['ending exactly at 18:00:00 is all peak', '2024-03-04T17:59:00Z', '60', [['peak', 60, 60, '0.6']], '0.6000'],
    ['starting exactly at 18:00:00 is all off-peak', '2024-03-04T18:00:00Z', '60', [['off-peak', 60, 60, '0.06']], '0.0600'],
    ['crossing 18:00 splits there', '2024-03-04T17:59:30Z', '60', [['peak', 30, 30, '0.3'], ['off-peak', 30, 30, '0.03']], '0.3300'],
    ['crossing 08:00 splits there', '2024-03-04T07:59:45Z', '30', [['off-peak', 15, 15, '0.015'], ['peak', 15, 15, '0.15']], '0.1650'],
    ['ending exactly at 08:00:00 is all off-peak', '2024-03-04T07:59:00Z', '60', [['off-peak', 60, 60, '0.06']], '0.0600'],
    ['Friday to Saturday splits at midnight', '2024-03-08T23:59:30Z', '60', [['off-peak', 30, 30, '0.03'], ['weekend', 30, 30, '0.015']], '0.0450'],
    ['Sunday to Monday splits at midnight', '2024-03-10T23:59:50Z', '20', [['weekend', 10, 10, '0.005'], ['off-peak', 10, 10, '0.01']], '0.0150'],
    ['Monday to Tuesday night stays one piece (same rate)', '2024-03-04T23:59:30Z', '60', [['off-peak', 60, 60, '0.06']], '0.0600'],
    ['a whole peak period inside a long call', '2024-03-04T07:00:00Z', '43200', [['off-peak', 3600, 3600, '3.6'], ['peak', 36000, 36000, '360'], ['off-peak', 3600, 3600, '3.6']], '367.2000'],
  ])('a call %s', (_name, start, durationSeconds, pieces, amount) => {
    const result = rated(rate(aRecord({ start, durationSeconds })));
    expect(piecesSummary(result)).toEqual(pieces);
    expect(result.amount).toBe(amount);
  });

  it('uses the end instead of durationSeconds when that is what the record has', () => {
    const result = rated(rate(aRecord({ start: '2024-03-04T17:59:30Z', durationSeconds: undefined, end: '2024-03-04T18:00:30Z' })));
    expect(result.amount).toBe('0.3300');
  });

  it('reads windows on the account wall clock (London summer time: 18:00 local is 17:00Z)', () => {
    const london = createRater(aContext(peakPlan, { timeZone: 'Europe/London' }));
    const result = rated(london(aRecord({ start: '2024-07-01T16:59:30Z', durationSeconds: '60' })));
    expect(piecesSummary(result)).toEqual([['peak', 30, 30, '0.3'], ['off-peak', 30, 30, '0.03']]);
  });

  it('splits where the clocks change (a window opening inside the skipped hour opens with it)', () => {
    // London, 31 March 2024: 01:00 GMT becomes 02:00 BST at 01:00Z. The window opens at 01:30 local,
    // a time that never happens that night, so it is open from the jump on.
    const plan = aRatePlan({
      windows: [{ name: 'late', opensAt: '01:30', closesAt: '05:00', weight: 1 }],
      rates: [aRate({ id: 'base', price: '0.06' }), aRate({ id: 'late', price: '0.60', window: 'late' })],
    });
    const result = rated(createRater(aContext(plan, { timeZone: 'Europe/London' }))(aRecord({ start: '2024-03-31T00:59:30Z', durationSeconds: '60' })));
    expect(piecesSummary(result)).toEqual([['base', 30, 30, '0.03'], ['late', 30, 30, '0.3']]);
  });

  it('fails NO_RATE when no rate is in force for part of the usage', () => {
    const plan = aRatePlan({
      windows: [{ name: 'peak', opensAt: '08:00', closesAt: '18:00' }],
      rates: [aRate({ id: 'peak', window: 'peak' })],
    });
    const result = rateRecord(aRecord({ start: '2024-03-04T17:59:00Z', durationSeconds: '120' }), aContext(plan));
    expect(result).toMatchObject({ status: 'failed', reason: 'NO_RATE', message: expect.stringContaining('2024-03-04T18:00:00.000Z') });
  });
});

describe('which window is in force', () => {
  const plan = aRatePlan({
    windows: [
      { name: 'morning', opensAt: '06:00', weight: 1 },
      { name: 'evening', opensAt: '18:00', weight: 1 },
      { name: 'vip', opensAt: '19:00', closesAt: '20:00', weight: 5 },
      { name: 'overnight', opensAt: '22:00', closesAt: '02:00', weight: 1 },
    ],
    rates: [
      aRate({ id: 'base', price: '1' }),
      aRate({ id: 'morning', price: '2', window: 'morning' }),
      aRate({ id: 'evening', price: '3', window: 'evening' }),
      aRate({ id: 'vip', price: '4', window: 'vip' }),
      aRate({ id: 'overnight', price: '5', window: 'overnight' }),
    ],
  });
  const rate = createRater(aContext(plan));

  it.each<[string, string]>([
    ['05:00', 'base'],
    ['01:00', 'overnight'],
    ['06:00', 'morning'],
    ['17:00', 'morning'],
    ['18:00', 'evening'],
    ['19:30', 'vip'],
    ['20:00', 'evening'],
    ['23:00', 'overnight'],
  ])('at %s the rate is %s (highest weight, then opened latest that day)', (time, rateId) => {
    const result = rated(rate(aRecord({ start: `2024-03-05T${time}:00Z`, durationSeconds: '1' })));
    expect(result.trace.rate?.rate.rateId).toBe(rateId);
  });

  it('says in the trace which window put the rate in force and when it opened', () => {
    const result = rated(rate(aRecord({ start: '2024-03-05T01:00:00Z', durationSeconds: '1' })));
    expect(result.trace.rate?.window).toEqual({ name: 'overnight', weight: 1, openedAt: '22:00:00', openedPreviousDay: true });
  });
});

describe('unit-based usage takes the rate in force at its start', () => {
  const plan = aRatePlan({
    windows: [{ name: 'peak', opensAt: '08:00', closesAt: '18:00' }],
    rates: [aRate({ id: 'sms', usageType: 'sms', unit: 'sms', price: '0.04' }), aRate({ id: 'sms-peak', usageType: 'sms', unit: 'sms', price: '0.10', window: 'peak' })],
  });

  it.each<[string, string, string]>([
    ['2024-03-04T17:59:59Z', 'sms-peak', '0.1000'],
    ['2024-03-04T18:00:00Z', 'sms', '0.0400'],
    ['2024-03-04T07:59:59.999Z', 'sms', '0.0400'],
  ])('an SMS at %s is rated %s', (start, rateId, amount) => {
    const result = rated(rateRecord({ id: 's', start, usageType: 'sms' }, aContext(plan)));
    expect([result.trace.rate?.rate.rateId, result.amount, result.quantity]).toEqual([rateId, amount, '1']);
  });
});

describe('per-rate charges', () => {
  const rateWith = (overrides: Parameters<typeof aRate>[0], record: Partial<UsageRecord> = {}) =>
    rated(rateRecord(aRecord(record), aContext(aRatePlan({ rates: [aRate(overrides)] }))));

  it.each<[string, Parameters<typeof aRate>[0], string, string]>([
    ['per-second billing by default', { price: '0.60' }, '61', '0.6100'],
    ['30-second increments round each piece up', { price: '0.60', incrementSeconds: 30 }, '31', '0.6000'],
    ['first 60 s as one block, then per second: 10 s', { price: '0.60', steps: [{ fromSeconds: 0, incrementSeconds: 60 }, { fromSeconds: 60, incrementSeconds: 1 }] }, '10', '0.6000'],
    ['first 60 s as one block, then per second: 61 s', { price: '0.60', steps: [{ fromSeconds: 0, incrementSeconds: 60 }, { fromSeconds: 60, incrementSeconds: 1 }] }, '61', '0.6100'],
    ['a step with its own price', { price: '0.60', steps: [{ fromSeconds: 0, incrementSeconds: 60, price: '1.20' }, { fromSeconds: 60, incrementSeconds: 1 }] }, '90', '1.5000'],
    ['connect fee once', { price: '0.60', connectFee: '0.25' }, '60', '0.8500'],
    ['zero-length usage: nothing, not even the connect fee', { price: '0.60', connectFee: '0.25', minimumCharge: '1' }, '0', '0.0000'],
    ['minimum charge', { price: '0.60', minimumCharge: '0.50' }, '10', '0.5000'],
    ['maximum charge, capped', { price: '0.60', maxCharge: { amount: '1.00', action: 'cap' } }, '600', '1.0000'],
    ['maximum charge, flagged only', { price: '0.60', maxCharge: { amount: '1.00', action: 'flag' } }, '600', '6.0000'],
    ['sub-second durations bill whole increments', { price: '0.60' }, '0.001', '0.0100'],
    ['price per hour', { unit: 'hour', price: '3.60' }, '1', '0.0010'],
  ])('%s', (_name, rate, durationSeconds, amount) => {
    expect(rateWith(rate, { durationSeconds }).amount).toBe(amount);
  });

  it('flags zero usage, the minimum and the maximum', () => {
    expect(rateWith({ price: '1' }, { durationSeconds: '0' }).flags).toEqual(['ZERO_USAGE']);
    expect(rateWith({ price: '0.60', minimumCharge: '0.50' }, { durationSeconds: '10' }).flags).toEqual(['MINIMUM_CHARGE']);
    expect(rateWith({ price: '0.60', maxCharge: { amount: '1', action: 'cap' } }, { durationSeconds: '600' }).flags).toEqual(['MAX_CHARGE_CAPPED']);
    expect(rateWith({ price: '0.60', maxCharge: { amount: '1', action: 'flag' } }, { durationSeconds: '600' }).flags).toEqual(['MAX_CHARGE_EXCEEDED']);
  });

  it('pays a block once even when the rate changes inside it (the increment carries over)', () => {
    const plan = aRatePlan({
      windows: [{ name: 'peak', opensAt: '18:00' }],
      rates: [
        aRate({ id: 'day', price: '0.60', steps: [{ fromSeconds: 0, incrementSeconds: 60 }, { fromSeconds: 60, incrementSeconds: 1 }] }),
        aRate({ id: 'evening', price: '0.06', window: 'peak', steps: [{ fromSeconds: 0, incrementSeconds: 60 }, { fromSeconds: 60, incrementSeconds: 1 }] }),
      ],
    });
    const result = rated(rateRecord(aRecord({ start: '2024-03-04T17:59:30Z', durationSeconds: '90' }), aContext(plan)));
    // 30 s of day rate pays the first 60 s block at the day rate; the evening rate then pays
    // seconds 60-90 only: the 30 s of evening inside that block are not charged twice.
    expect(piecesSummary(result)).toEqual([['day', 30, 60, '0.6'], ['evening', 30, 0, '0'], ['evening', 30, 30, '0.03']]);
    expect(result.amount).toBe('0.6300');
  });

  it('takes the connect fee, minimum and maximum from the rate at the start', () => {
    const plan = aRatePlan({
      windows: [{ name: 'peak', opensAt: '18:00' }],
      rates: [aRate({ id: 'day', price: '0.60', connectFee: '0.10' }), aRate({ id: 'evening', price: '0.06', window: 'peak', connectFee: '5' })],
    });
    const result = rated(rateRecord(aRecord({ start: '2024-03-04T17:59:30Z', durationSeconds: '60' }), aContext(plan)));
    expect([result.trace.connectFee, result.amount]).toEqual(['0.1', '0.4300']);
  });
});

describe('rounding is applied once, to the record total', () => {
  it.each<['up' | 'down' | 'half-up' | 'half-even', number, string]>([
    ['up', 2, '0.02'],
    ['down', 2, '0.01'],
    ['half-up', 2, '0.02'],
    ['half-even', 2, '0.02'],
    ['half-even', 0, '0'],
    ['half-up', 6, '0.015000'],
  ])('%s to %i decimals', (method, decimals, amount) => {
    // 3 pieces of 0.005 each: rounding each piece would give 0.03 half-up, 0.00 down.
    const plan = aRatePlan({
      rounding: { method, decimals },
      windows: [{ name: 'a', opensAt: '10:00:01', weight: 1 }, { name: 'b', opensAt: '10:00:02', weight: 1 }],
      rates: [aRate({ id: 'base', unit: 'second', price: '0.005' }), aRate({ id: 'a', unit: 'second', price: '0.005', window: 'a' }), aRate({ id: 'b', unit: 'second', price: '0.005', window: 'b' })],
    });
    const result = rated(rateRecord(aRecord({ start: '2024-03-04T10:00:00Z', durationSeconds: '3' }), aContext(plan)));
    expect(result.trace.pieces).toHaveLength(3);
    expect(result.amount).toBe(amount);
    expect(result.trace.rounding).toEqual({ method, decimals, before: '0.015', after: amount });
  });

  it('keeps sub-cent precision in pieces (10 decimals, half-even) when the unit does not divide evenly', () => {
    const result = rated(rateRecord(aRecord({ durationSeconds: '37' }), aContext(aRatePlan({ rates: [aRate({ price: '0.05' })] }))));
    expect([timePieces(result)[0]?.amount, result.amount]).toEqual(['0.0308333333', '0.0308']);
  });
});

describe('quantity-based usage', () => {
  const plan = aRatePlan({
    rates: [
      aRate({ id: 'data', usageType: 'data', unit: 'MB', price: '0.005', increment: '0.1' }),
      aRate({ id: 'calls', usageType: 'api_call', unit: 'request', price: '0.0000002' }),
    ],
  });
  const context = aContext(plan);

  it.each<[Partial<UsageRecord>, string, string, number | null]>([
    [{ usageType: 'data', quantity: '12.34', unit: 'MB' }, '12.4', '0.0620', 124],
    [{ usageType: 'data', quantity: '1500', unit: 'KB' }, '1.5', '0.0075', 15],
    [{ usageType: 'data', quantity: '1', unit: 'GB' }, '1000', '5.0000', 10_000],
    [{ usageType: 'data', quantity: '0', unit: 'MB' }, '0', '0.0000', 0],
    [{ usageType: 'api_call', quantity: '1000000', unit: 'request' }, '1000000', '0.2000', null],
  ])('%o bills %s units for %s', (record, billedQuantity, amount, increments) => {
    const result = rated(rateRecord(aRecord({ durationSeconds: undefined, ...record }), context));
    expect([result.trace.pieces[0]?.kind === 'quantity' ? result.trace.pieces[0].billedQuantity : null, result.amount]).toEqual([billedQuantity, amount]);
    expect(result.trace.pieces[0]).toMatchObject({ increments });
  });

  it('refuses a unit it cannot convert', () => {
    expect(rateRecord(aRecord({ usageType: 'data', quantity: '5', unit: 'minute' }), context)).toMatchObject({ status: 'failed', reason: 'INVALID_RECORD' });
  });

  it('prices binary units exactly through the reference engine', () => {
    const result = rated(rateRecord(aRecord({ usageType: 'data', quantity: '1024', unit: 'KiB' }), context));
    expect(result.trace.pieces[0]).toMatchObject({ billedQuantity: '1.1', amount: '0.0055' });
  });
});

describe('rate selection', () => {
  const plan = aRatePlan({
    zones: [{ name: 'uk', prefixes: ['44'] }, { name: 'uk-mobile', prefixes: ['447'] }, { name: 'world', catchAll: true }],
    rates: [
      aRate({ id: 'any', price: '9' }),
      aRate({ id: 'uk', price: '1', zone: 'uk' }),
      aRate({ id: 'uk-mobile', price: '2', zone: 'uk-mobile' }),
      aRate({ id: 'uk-mobile-app', price: '0.5', zone: 'uk-mobile', when: [{ attribute: 'device', equals: 'app' }, { attribute: 'durationSeconds', range: { max: '600' } }] }),
    ],
  });
  const rate = createRater(aContext(plan));

  it.each<[Partial<UsageRecord>, string, string | null]>([
    [{ destination: '+442071234567' }, 'uk', '44'],
    [{ destination: '+447700900123' }, 'uk-mobile', '447'],
    [{ destination: '+447700900123', device: 'app' }, 'uk-mobile-app', '447'],
    [{ destination: '+447700900123', device: 'app', durationSeconds: '601' }, 'uk-mobile', '447'],
    [{ destination: '+447700900123', device: 'phone' }, 'uk-mobile', '447'],
    [{ destination: '+33123456789' }, 'any', null],
    [{}, 'any', null],
  ])('%o is rated %s', (record, rateId, prefix) => {
    const result = rated(rate(aRecord(record)));
    expect([result.trace.rate?.rate.rateId, result.trace.rate?.zone?.prefix ?? null]).toEqual([rateId, prefix]);
  });

  it.each<[string, object, boolean]>([
    ['equals', { attribute: 'device', equals: 'mobile' }, true],
    ['equals (no)', { attribute: 'device', equals: 'tablet' }, false],
    ['oneOf', { attribute: 'usageMethod', oneOf: ['download', 'stream'] }, true],
    ['range (inclusive)', { attribute: 'quantity', range: { min: '5', max: '5' } }, true],
    ['range (outside)', { attribute: 'quantity', range: { min: '5.01' } }, false],
    ['regex', { attribute: 'destination', regex: '^\\+357' }, true],
    ['an extra attribute', { attribute: 'channel', equals: 'web' }, true],
    ['a missing attribute', { attribute: 'promo', equals: 'x' }, false],
  ])('condition %s holds: %s', (_name, condition, holds) => {
    const conditional = aRatePlan({
      rates: [aRate({ id: 'base', usageType: 'ppv', unit: 'order', price: '10' }), aRate({ id: 'tier', usageType: 'ppv', unit: 'order', price: '5', when: [condition as never] })],
    });
    const record: UsageRecord = { id: 'o', start: '2024-03-04T10:00:00Z', usageType: 'ppv', quantity: '5', device: 'mobile', usageMethod: 'stream', destination: '+35722000000', attributes: { channel: 'web' } };
    expect(rated(rateRecord(record, aContext(conditional))).trace.rate?.rate.rateId).toBe(holds ? 'tier' : 'base');
  });
});

describe('failures carry a reason, never a silent zero', () => {
  it.each<[string, () => RatingResult, string]>([
    ['no plan', () => rateRecord(aRecord(), aContext([])), 'NO_PLAN'],
    ['no rate for the usage type', () => rateRecord(aRecord({ usageType: 'fax' }), aContext(aRatePlan())), 'NO_RATE'],
    ['no rate matching the conditions', () => rateRecord(aRecord(), aContext(aRatePlan({ rates: [aRate({ when: [{ attribute: 'device', equals: 'x' }] })] }))), 'NO_RATE'],
    ['an override of a rate that does not exist', () => rateRecord(aRecord(), aContext(aRatePlan(), { overrides: [{ planId: 'plan', rateId: 'nope', price: '1' }] })), 'INVALID_RATE'],
    ['an unknown time zone', () => rateRecord(aRecord(), aContext(aRatePlan(), { timeZone: 'Mars/Olympus' })), 'INVALID_RATE'],
    ['a parent missing from the chain', () => rateRecord(aRecord(), aContext(aRatePlan({ parent: { id: 'base' } }))), 'INVALID_RATE'],
    ['a cost-rated record without markups', () => rateRecord(aRecord({ prerated: { amount: '1', schema: 'CR' } }), aContext(aRatePlan())), 'INVALID_RATE'],
    ['a start that is not an instant', () => rateRecord(aRecord({ start: 'yesterday' }), aContext(aRatePlan())), 'INVALID_RECORD'],
    ['an end before the start', () => rateRecord(aRecord({ durationSeconds: undefined, end: '2024-03-04T09:00:00Z' }), aContext(aRatePlan())), 'INVALID_RECORD'],
    ['a time rate without a duration', () => rateRecord(aRecord({ durationSeconds: undefined }), aContext(aRatePlan())), 'INVALID_RECORD'],
    ['a negative quantity', () => rateRecord(aRecord({ usageType: 'sms', quantity: '-1' }), aContext(aRatePlan({ rates: [aRate({ usageType: 'sms', unit: 'sms' })] }))), 'INVALID_RECORD'],
  ])('%s', (_name, run, reason) => {
    expect(run()).toMatchObject({ status: 'failed', reason, message: expect.any(String), recordId: 'r1' });
  });

  it('defers usage priced by a period charge instead of failing it', () => {
    const plan = aRatePlan({ charges: [{ id: 'storage', usageType: 'storage', unit: 'GB', model: 'standard', unitPrice: '0.02' }] });
    expect(rateRecord(aRecord({ usageType: 'storage', quantity: '5', unit: 'GB' }), aContext(plan))).toEqual({
      status: 'deferred', recordId: 'r1', usageType: 'storage', currency: 'EUR', plan: { id: 'plan', version: 1 }, chargeId: 'storage', model: 'standard', asOf: '2024-04-01T00:00:00Z',
    });
  });
});

describe('record-level discounts', () => {
  const plan = (discounts: RatePlan['discounts']) => aRatePlan({ rates: [aRate({ price: '6.00' })], discounts });

  it('applies percentages first, then fixed amounts, never below zero', () => {
    const result = rated(rateRecord(aRecord({ durationSeconds: '60' }), aContext(plan([
      { id: 'fixed', level: 'record', kind: 'fixed', amount: '1.00' },
      { id: 'ten', level: 'record', kind: 'percentage', percent: '10' },
      { id: 'five', level: 'record', kind: 'percentage', percent: '5' },
    ]))));
    // 6.00 -10% = 5.40, -5% = 5.13, -1.00 = 4.13
    expect(result.trace.discounts.map((discount) => [discount.id, discount.amount])).toEqual([['ten', '0.6'], ['five', '0.27'], ['fixed', '1']]);
    expect(result.amount).toBe('4.1300');
    expect(result.flags).toEqual(['DISCOUNTED']);
    const free = rated(rateRecord(aRecord(), aContext(plan([{ id: 'big', level: 'record', kind: 'fixed', amount: '100' }]))));
    expect(free.amount).toBe('0.0000');
  });

  it('applies only where its conditions hold', () => {
    const discounts: RatePlan['discounts'] = [{ id: 'app', level: 'record', kind: 'percentage', percent: '50', usageTypes: ['voice'], when: [{ attribute: 'device', equals: 'app' }] }];
    expect(rated(rateRecord(aRecord({ device: 'app' }), aContext(plan(discounts)))).amount).toBe('3.0000');
    expect(rated(rateRecord(aRecord({ device: 'phone' }), aContext(plan(discounts)))).amount).toBe('6.0000');
  });
});

describe('the trace', () => {
  it('names the plan version, the rate and why, and every piece', () => {
    const plan = aRatePlan({ id: 'retail', version: 7, zones: [{ name: 'uk', prefixes: ['44'] }], rates: [aRate({ id: 'uk', zone: 'uk', price: '0.60', connectFee: '0.05' })] });
    const result = rated(rateRecord(aRecord({ destination: '+4420', durationSeconds: '90' }), aContext(plan)));
    expect(result.trace).toMatchObject({
      asOf: '2024-04-01T00:00:00Z',
      timeZone: 'UTC',
      plans: [{ id: 'retail', version: 7 }],
      rate: { rate: { planId: 'retail', planVersion: 7, level: 0, rateId: 'uk', unitPrice: '0.60', override: false, zone: 'uk' }, zone: { zone: 'uk', prefix: '44' }, window: null },
      pieces: [{ kind: 'time', offsetSeconds: 0, durationSeconds: 90, incrementSeconds: 1, increments: 90, billedSeconds: 90, unitPrice: '0.60', amount: '0.9' }],
      connectFee: '0.05',
      usageAmount: '0.9',
      subtotal: '0.95',
      rounding: { method: 'half-up', decimals: 4, before: '0.95', after: '0.9500' },
    });
  });

  it('is plain JSON', () => {
    const result = rateRecord(aRecord(), aContext(peakPlan));
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe('records that bypassed validation', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a numeric quantity', { usageType: 'sms', quantity: 2 }],
    ['a numeric durationSeconds', { durationSeconds: 60 }],
    ['a numeric pre-rated amount', { prerated: { amount: 7.5, schema: 'EXTERNAL' } }],
    ['no start', { start: undefined }],
  ])('fail INVALID_RECORD instead of throwing: %s', (_name, change) => {
    const plan = aRatePlan({ rates: [aRate(), aRate({ id: 'sms', usageType: 'sms', unit: 'sms' })] });
    const record = { ...aRecord(), ...change } as unknown as UsageRecord;
    expect(rateRecord(record, aContext(plan))).toMatchObject({ status: 'failed', reason: 'INVALID_RECORD' });
  });
});
