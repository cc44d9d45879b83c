// Properties of the rating engine over generated plans and records (fast-check).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFixed, money, roundMoney, sumMoney } from '../../../domain/money';
import { compileContext, type CompiledContext } from '../../../domain/rating/compile';
import type { PricingInput } from '../../../domain/rating/engine';
import { priceFast } from '../../../domain/rating/engine-fast';
import { priceReference } from '../../../domain/rating/engine-reference';
import {
  computePeriodCharges,
  createRater,
  parseRatePlan,
  type RatePlan,
  type RatingContext,
  type UsageRecord,
} from '../../../domain/rating/index';
import { timePieces } from '../../../domain/rating/pieces';
import { rateAt, splitByRate, staticCandidates } from '../../../domain/rating/select';

const RUNS = { numRuns: 300 };
const TIME_ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];

const decimal = (maxInteger: number, maxDecimals: number) =>
  fc
    .tuple(fc.integer({ min: 0, max: maxInteger }), fc.integer({ min: 0, max: maxDecimals }), fc.integer({ min: 0, max: 10 ** maxDecimals - 1 }))
    .map(([integer, decimals, fraction]) => (decimals === 0 ? String(integer) : `${integer}.${String(fraction % 10 ** decimals).padStart(decimals, '0')}`));

const timeOfDay = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([hours, minutes]) => `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`);

const windowArbitrary = fc
  .record({
    opensAt: timeOfDay,
    closesAt: fc.option(timeOfDay, { nil: undefined }),
    weekdays: fc.option(fc.subarray(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, { minLength: 1 }), { nil: undefined }),
    weight: fc.integer({ min: 0, max: 3 }),
  })
  .filter((window) => window.closesAt !== window.opensAt);

interface PlanOptions {
  minimum: boolean;
  cap: boolean;
  discounts: boolean;
  priceDigits: number;
}

const stepsArbitrary = fc.oneof(
  fc.record({ incrementSeconds: fc.integer({ min: 1, max: 60 }) }),
  fc.record({ steps: fc.tuple(fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 30 })).map(([firstBlock, block, increment]) => [
    { fromSeconds: 0, incrementSeconds: block },
    { fromSeconds: firstBlock, incrementSeconds: increment },
  ]) }),
);

function planArbitrary(options: PlanOptions): fc.Arbitrary<RatePlan> {
  const rate = fc.record({
    unit: fc.constantFrom('second', 'minute', 'hour'),
    price: decimal(options.priceDigits, 6),
    connectFee: fc.option(decimal(2, 4), { nil: undefined }),
    minimumCharge: options.minimum ? fc.option(decimal(1, 3), { nil: undefined }) : fc.constant(undefined),
    maxCharge: options.cap ? fc.option(fc.record({ amount: decimal(50, 2), action: fc.constantFrom('cap' as const, 'flag' as const) }), { nil: undefined }) : fc.constant(undefined),
    timing: stepsArbitrary,
  });
  return fc
    .record({
      windows: fc.array(windowArbitrary, { maxLength: 3 }),
      rates: fc.array(rate, { minLength: 1, maxLength: 4 }),
      method: fc.constantFrom('up' as const, 'down' as const, 'half-up' as const, 'half-even' as const),
      decimals: fc.integer({ min: 0, max: 8 }),
      percent: options.discounts ? fc.option(decimal(60, 2), { nil: undefined }) : fc.constant(undefined),
    })
    .map(({ windows, rates, method, decimals, percent }) =>
      parseRatePlan({
        id: 'generated',
        version: 1,
        currency: 'EUR',
        rounding: { method, decimals },
        windows: windows.map((window, index) => ({ ...window, name: `w${index}` })),
        rates: rates.map(({ timing, maxCharge, minimumCharge, ...rest }, index) => ({
          id: `r${index}`,
          usageType: 'voice',
          ...rest,
          ...timing,
          ...(minimumCharge !== undefined && (maxCharge === undefined || money(maxCharge.amount).gte(minimumCharge)) ? { minimumCharge } : {}),
          ...(maxCharge !== undefined ? { maxCharge } : {}),
          // The first rate has no window, so some rate is always in force.
          ...(index > 0 && windows.length > 0 ? { window: `w${index % windows.length}` } : {}),
        })),
        ...(percent !== undefined ? { discounts: [{ id: 'd', level: 'record', kind: 'percentage', percent }] } : {}),
      }),
    );
}

const callArbitrary = fc.record({
  startMs: fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2025-12-31T00:00:00Z') }),
  durationMs: fc.integer({ min: 0, max: 6 * 3_600_000 }),
  timeZone: fc.constantFrom(...TIME_ZONES),
});

const durationText = (durationMs: number) => (durationMs / 1000).toFixed(3).replace(/\.?0+$/, '') || '0';

function call(startMs: number, durationMs: number): UsageRecord {
  return { id: 'call', start: new Date(startMs).toISOString(), usageType: 'voice', durationSeconds: durationText(durationMs) };
}

const contextFor = (plan: RatePlan, timeZone: string): RatingContext => ({ plans: [plan], asOf: '2026-01-01T00:00:00Z', timeZone });

describe('rating properties', () => {
  it('is deterministic: the same record, plan and asOf give the same result, also from a fresh rater', () => {
    fc.assert(
      fc.property(planArbitrary({ minimum: true, cap: true, discounts: true, priceDigits: 5 }), callArbitrary, (plan, { startMs, durationMs, timeZone }) => {
        const record = call(startMs, durationMs);
        const first = createRater(contextFor(plan, timeZone))(record);
        expect(createRater(contextFor(plan, timeZone))(record)).toEqual(first);
        expect(createRater(contextFor(plan, timeZone))(structuredClone(record))).toEqual(first);
      }),
      RUNS,
    );
  });

  it('never charges less for a longer call (no cap)', () => {
    fc.assert(
      fc.property(
        planArbitrary({ minimum: true, cap: false, discounts: true, priceDigits: 5 }),
        callArbitrary,
        fc.integer({ min: 0, max: 3 * 3_600_000 }),
        (plan, { startMs, durationMs, timeZone }, extraMs) => {
          const rate = createRater(contextFor(plan, timeZone));
          const shorter = rate(call(startMs, durationMs));
          const longer = rate(call(startMs, durationMs + extraMs));
          if (shorter.status !== 'rated' || longer.status !== 'rated') throw new Error('generated plans always rate');
          expect(money(longer.amount).gte(shorter.amount)).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('charges exactly the rounded sum of the trace pieces plus the connect fee', () => {
    fc.assert(
      fc.property(planArbitrary({ minimum: false, cap: false, discounts: false, priceDigits: 5 }), callArbitrary, (plan, { startMs, durationMs, timeZone }) => {
        const result = createRater(contextFor(plan, timeZone))(call(startMs, durationMs));
        if (result.status !== 'rated') throw new Error('generated plans always rate');
        const total = sumMoney([...result.trace.pieces.map((piece) => piece.amount), result.trace.connectFee]);
        const { method, decimals } = plan.rounding;
        expect(result.amount).toBe(formatFixed(roundMoney(total, decimals, method), decimals));
        const billedMs = result.trace.pieces.reduce((sum, piece) => sum + (piece.kind === 'time' ? piece.billedSeconds * 1000 : 0), 0);
        expect(billedMs).toBeGreaterThanOrEqual(durationMs);
      }),
      RUNS,
    );
  });
});

function timeInput(context: CompiledContext, record: UsageRecord, startMs: number, durationMs: number): PricingInput {
  const candidates = staticCandidates(context, record, durationMs);
  const startRate = rateAt(candidates, context.clock.local(startMs));
  if (startRate === null) throw new Error('generated plans always have a rate');
  const split = splitByRate(context, candidates, 'voice', startMs, durationMs, startRate);
  if (!split.ok) throw new Error(split.message);
  return {
    startRate,
    pieces: timePieces(split.segments),
    quantity: null,
    zeroUsage: durationMs === 0,
    discounts: context.recordDiscounts,
    decimals: context.decimals,
    roundingMethod: context.roundingMethod,
  };
}

describe('the compiled fast path equals decimal.js to the last digit', () => {
  it('engine by engine, on the pieces of real splits (and never needs the fallback in this range)', () => {
    fc.assert(
      fc.property(planArbitrary({ minimum: true, cap: true, discounts: true, priceDigits: 9 }), callArbitrary, (plan, { startMs, durationMs, timeZone }) => {
        const compiled = compileContext(contextFor(plan, timeZone));
        if (!compiled.ok) throw new Error(compiled.message);
        const input = timeInput(compiled.context, call(startMs, durationMs), startMs, durationMs);
        const fast = priceFast(input);
        expect(fast).not.toBeNull();
        expect(fast).toEqual(priceReference(input));
      }),
      { numRuns: 1000 },
    );
  });

  it('record by record, whole results, including quantities, unit conversions and overflow fallbacks', () => {
    const quantityPlan = fc
      .record({
        price: decimal(1000, 10),
        increment: fc.option(decimal(10, 3).filter((value) => money(value).gt(0)), { nil: undefined }),
        unit: fc.constantFrom('MB', 'GB', 'KB', 'request'),
        decimals: fc.integer({ min: 0, max: 10 }),
        method: fc.constantFrom('up' as const, 'down' as const, 'half-up' as const, 'half-even' as const),
      })
      .map(({ price, increment, unit, decimals, method }) =>
        parseRatePlan({ id: 'q', version: 1, currency: 'USD', rounding: { method, decimals }, rates: [{ id: 'q', usageType: 'usage', unit, price, ...(increment ? { increment } : {}) }] }),
      );
    const quantityRecord = fc.record({
      quantity: decimal(10 ** 9, 9),
      unit: fc.constantFrom('MB', 'GB', 'KB', 'B', 'request', undefined),
    });
    fc.assert(
      fc.property(quantityPlan, quantityRecord, (plan, { quantity, unit }) => {
        const record: UsageRecord = { id: 'q', start: '2024-03-04T10:00:00Z', usageType: 'usage', quantity, ...(unit ? { unit } : {}) };
        const context = contextFor(plan, 'UTC');
        expect(createRater(context, { engine: 'fast' })(record)).toEqual(createRater(context, { engine: 'reference' })(record));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(planArbitrary({ minimum: true, cap: true, discounts: true, priceDigits: 1_000_000 }), callArbitrary, (plan, { startMs, durationMs, timeZone }) => {
        const record = call(startMs, durationMs);
        const context = contextFor(plan, timeZone);
        expect(createRater(context, { engine: 'fast' })(record)).toEqual(createRater(context, { engine: 'reference' })(record));
      }),
      RUNS,
    );
  });
});

describe('period charges', () => {
  it('do not depend on the order records arrive in', () => {
    const plan = parseRatePlan({
      id: 'p', version: 1, currency: 'EUR', rounding: { method: 'half-even', decimals: 2 },
      rates: [{ id: 'voice', usageType: 'voice', unit: 'minute', price: '0.37', connectFee: '0.05' }],
      charges: [
        { id: 'data', usageType: 'data', unit: 'MB', model: 'includedQuota', quota: '500', excessUnitPrice: '0.013' },
        { id: 'payments', usageType: 'payment', unit: 'EUR', model: 'percentage', ratePercent: '2.5', fixedFeePerEvent: '0.10', freeUnits: '100', freeEvents: 3, minPerEvent: '0.20' },
      ],
      discounts: [
        { id: 'free-voice', level: 'period', kind: 'freeUsage', quantity: '3', unit: 'minute' },
        { id: 'ten', level: 'period', kind: 'percentage', percent: '10' },
        { id: 'credit', level: 'period', kind: 'fixed', amount: '1.50' },
      ],
      minimumCommitment: { amount: '2.00' },
    });
    const recordArbitrary = fc.record({
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      kind: fc.constantFrom('voice', 'data', 'payment'),
      amount: fc.integer({ min: 0, max: 900 }),
    });
    fc.assert(
      fc.property(fc.array(recordArbitrary, { maxLength: 40 }), fc.integer(), (rows, seed) => {
        const rate = createRater(contextFor(plan, 'UTC'));
        const items = rows.map(({ day, hour, kind, amount }, index) => {
          const start = `2024-03-${String(day).padStart(2, '0')}T${String(hour).padStart(2, '0')}:00:00Z`;
          const record: UsageRecord =
            kind === 'voice'
              ? { id: `r${index}`, start, usageType: 'voice', durationSeconds: String(amount) }
              : { id: `r${index}`, start, usageType: kind, quantity: String(amount), unit: kind === 'data' ? 'MB' : 'EUR' };
          return { record, result: rate(record) };
        });
        const shuffled = fc.sample(fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length }), { numRuns: 1, seed })[0] ?? [];
        expect(computePeriodCharges({ plans: [plan], items: shuffled })).toEqual(computePeriodCharges({ plans: [plan], items }));
      }),
      { numRuns: 200 },
    );
  });
});
