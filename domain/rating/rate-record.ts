// Rating one record: pick the rate in force at the start, split time-based usage where the rate
// changes, cut the pieces by steps and increments, then price them with the fast engine (falling
// back to the decimal.js reference where it cannot be exact). Pure: no clock, no I/O; `asOf` and
// the time zone come in with the context.
import { decimalsOf, formatScaled, isDecimalString, parseScaled } from '../money';
import { formatTimeOfDay, parseInstant, MS_PER_DAY } from './calendar';
import { compileContext, type CompileOutcome, type CompiledContext, type CompiledDiscount, type CompiledRate, type RatingContext } from './compile';
import { allConditionsHold } from './conditions';
import type { PricingInput, PricingOutput } from './engine';
import { priceFast } from './engine-fast';
import { priceReference } from './engine-reference';
import { timePieces } from './pieces';
import { ratePrerated } from './prerated';
import { recordDurationMs, type UsageRecord } from './records';
import type { RateChoice, RatedRecord, RatingFailure, RatingFailureReason, RatingFlag, RatingResult, TracePiece } from './result';
import { rateAt, splitByRate, staticCandidates, type Candidates } from './select';
import type { LocalTime } from './time-zone';
import { unitInfo, convertible } from './units';
import { openedAt } from './windows';

export type RatingEngine = 'fast' | 'reference';

function failure(record: UsageRecord, asOf: string, reason: RatingFailureReason, message: string): RatingFailure {
  return { status: 'failed', recordId: record.id, reason, message, asOf };
}

function applicableDiscounts(
  context: CompiledContext,
  record: UsageRecord,
  kind: 'rated' | 'prerated',
  durationMs: number | null,
): readonly CompiledDiscount[] {
  let discounts = context.discountsByUsageType.get(record.usageType);
  if (discounts === undefined) {
    discounts = context.recordDiscounts.filter((discount) => discount.usageTypes === null || discount.usageTypes.has(record.usageType));
    context.discountsByUsageType.set(record.usageType, discounts);
  }
  if (discounts.length === 0) return discounts;
  return discounts.filter(
    (discount) =>
      (discount.appliesTo === 'all' || discount.appliesTo === kind) &&
      (discount.products === null || (record.product !== undefined && discount.products.has(record.product))) &&
      allConditionsHold(discount.conditions, record, durationMs),
  );
}

function rateChoice(candidates: Candidates, rate: CompiledRate, local: LocalTime | null): RateChoice {
  const window = rate.window;
  let windowChoice: RateChoice['window'] = null;
  if (window !== null && local !== null) {
    const opened = openedAt(window, local);
    windowChoice = {
      name: window.name,
      weight: window.weight,
      openedAt: formatTimeOfDay(opened < 0 ? opened + MS_PER_DAY : opened),
      openedPreviousDay: opened < 0,
    };
  }
  return { rate: rate.ref, zone: candidates.zones[rate.level] ?? null, window: windowChoice };
}

function tracePieces(input: PricingInput, output: PricingOutput, record: UsageRecord): TracePiece[] {
  if (input.pieces !== null) {
    return input.pieces.map((piece, index) => ({
      kind: 'time',
      rate: piece.rate.ref,
      offsetSeconds: piece.offsetMs / 1000,
      durationSeconds: piece.durationMs / 1000,
      incrementSeconds: piece.step.incrementMs / 1000,
      increments: piece.increments,
      billedSeconds: piece.billedMs / 1000,
      unitPrice: piece.step.price,
      amount: output.pieceAmounts[index] ?? '0',
    }));
  }
  const usage = input.quantity;
  if (usage === null) return [];
  const rate = input.startRate;
  return [{
    kind: 'quantity',
    rate: rate.ref,
    quantity: usage.value,
    unit: record.unit ?? rate.ref.unit,
    billedQuantity: output.billedQuantity ?? usage.value,
    increment: rate.increment,
    increments: output.quantityIncrements,
    unitPrice: rate.price,
    amount: output.pieceAmounts[0] ?? '0',
  }];
}

function flagsOf(input: PricingInput, output: PricingOutput): RatingFlag[] {
  const flags: RatingFlag[] = [];
  if (input.zeroUsage) flags.push('ZERO_USAGE');
  if (output.minimumApplied) flags.push('MINIMUM_CHARGE');
  if (output.capped) flags.push('MAX_CHARGE_CAPPED');
  else if (output.maxExceeded) flags.push('MAX_CHARGE_EXCEEDED');
  if (input.discounts.length > 0) flags.push('DISCOUNTED');
  return flags;
}

function assemble(
  record: UsageRecord,
  context: CompiledContext,
  choice: RateChoice,
  input: PricingInput,
  output: PricingOutput,
  measured: { quantity: string; unit: string },
): RatedRecord {
  const rate = input.startRate;
  return {
    status: 'rated',
    recordId: record.id,
    currency: context.currency,
    amount: output.amount,
    usageType: record.usageType,
    quantity: measured.quantity,
    unit: measured.unit,
    flags: flagsOf(input, output),
    trace: {
      asOf: context.asOf,
      timeZone: context.timeZone,
      plans: context.planRefs,
      start: record.start,
      rate: choice,
      pieces: tracePieces(input, output, record),
      connectFee: output.connectFee,
      usageAmount: output.usageAmount,
      minimumCharge: output.minimumApplied ? rate.minimumCharge : null,
      maxCharge: rate.maxCharge === null ? null : { amount: rate.maxCharge.amount, action: rate.maxCharge.action, exceeded: output.maxExceeded },
      discounts: input.discounts.map((discount, index) => ({ id: discount.id, kind: discount.kind, value: discount.value, amount: output.discountAmounts[index] ?? '0' })),
      prerated: null,
      subtotal: output.subtotal,
      rounding: { method: context.roundingMethod, decimals: context.decimals, before: output.subtotal, after: output.amount },
    },
  };
}

// One literal, one shape: V8 keeps the engines monomorphic (an object spread here cost microseconds).
function pricingInput(
  context: CompiledContext,
  startRate: CompiledRate,
  discounts: readonly CompiledDiscount[],
  pieces: PricingInput['pieces'],
  quantity: PricingInput['quantity'],
  zeroUsage: boolean,
): PricingInput {
  return { startRate, pieces, quantity, zeroUsage, discounts, decimals: context.decimals, roundingMethod: context.roundingMethod };
}

function price(input: PricingInput, engine: RatingEngine): PricingOutput {
  return (engine === 'fast' ? priceFast(input) : null) ?? priceReference(input);
}

function deferredOrNoRate(record: UsageRecord, context: CompiledContext, message: string): RatingResult {
  const charged = context.charged.get(record.usageType);
  if (charged === undefined) return failure(record, context.asOf, 'NO_RATE', message);
  return {
    status: 'deferred',
    recordId: record.id,
    usageType: record.usageType,
    currency: context.currency,
    plan: charged.plan,
    chargeId: charged.charge.id,
    model: charged.charge.model,
    asOf: context.asOf,
  };
}

/** Rates one record against a compiled context. */
export function rateCompiled(record: UsageRecord, compiled: CompileOutcome, asOf: string, engine: RatingEngine): RatingResult {
  if (!compiled.ok) return failure(record, asOf, compiled.reason, compiled.message);
  const context = compiled.context;
  const startMs = parseInstant(record.start);
  if (startMs === null) return failure(record, context.asOf, 'INVALID_RECORD', 'start is not an ISO 8601 instant');
  const durationMs = recordDurationMs(record, startMs);
  if (typeof durationMs === 'string') return failure(record, context.asOf, 'INVALID_RECORD', durationMs);
  if (record.prerated !== undefined) {
    if (!isDecimalString(record.prerated.amount)) return failure(record, context.asOf, 'INVALID_RECORD', 'the pre-rated amount is not a decimal string');
    return ratePrerated(record, context, applicableDiscounts(context, record, 'prerated', durationMs));
  }
  const candidates = staticCandidates(context, record, durationMs);
  if (!candidates.anyRate) return deferredOrNoRate(record, context, `no rate for usage type ${record.usageType} in plan ${context.planRefs[0]?.id} or its parents`);
  const local = candidates.anyWindow ? context.clock.local(startMs) : null;
  const startRate = rateAt(candidates, local);
  if (startRate === null) return deferredOrNoRate(record, context, `no rate for usage type ${record.usageType} in force at ${record.start}`);
  const discounts = applicableDiscounts(context, record, 'rated', durationMs);
  if (startRate.timeBased) {
    if (durationMs === null) return failure(record, context.asOf, 'INVALID_RECORD', 'a time-based rate needs end, durationSeconds or a quantity in a time unit');
    const split = splitByRate(context, candidates, record.usageType, startMs, durationMs, startRate);
    if (!split.ok) return failure(record, context.asOf, 'NO_RATE', split.message);
    const pieces = durationMs === 0 ? [] : timePieces(split.segments);
    const input = pricingInput(context, startRate, discounts, pieces, null, durationMs === 0);
    return assemble(record, context, rateChoice(candidates, startRate, local), input, price(input, engine), { quantity: formatScaled(durationMs, 3), unit: 'second' });
  }
  const value = record.quantity ?? '1';
  if (typeof value !== 'string') return failure(record, context.asOf, 'INVALID_RECORD', 'quantity must be a decimal string');
  const scale = decimalsOf(value);
  const scaled = parseScaled(value, scale); // null: not a decimal, or too long for a safe integer
  if (scaled === null ? !isDecimalString(value) || value.startsWith('-') : scaled < 0) {
    return failure(record, context.asOf, 'INVALID_RECORD', 'quantity must be a non-negative decimal string');
  }
  const unit = record.unit === undefined ? startRate.unit : unitInfo(record.unit);
  if (!convertible(unit, startRate.unit)) {
    return failure(record, context.asOf, 'INVALID_RECORD', `the record is in ${unit.name}; rate ${startRate.ref.rateId} is per ${startRate.unit.name}`);
  }
  const zeroUsage = scaled === 0 || (scaled === null && /^[0.]+$/.test(value));
  const input = pricingInput(context, startRate, discounts, null, { value, unit, scaled, scale }, zeroUsage);
  return assemble(record, context, rateChoice(candidates, startRate, local), input, price(input, engine), { quantity: value, unit: unit.name });
}

const compiledContexts = new WeakMap<RatingContext, CompileOutcome>();

function compiledFor(context: RatingContext): CompileOutcome {
  let compiled = compiledContexts.get(context);
  if (compiled === undefined) {
    compiled = compileContext(context);
    compiledContexts.set(context, compiled);
  }
  return compiled;
}

/**
 * Rates one usage record. Amounts are decimal strings in the plan currency: each piece kept to 10
 * decimals (half-even), the record total rounded once with the plan's method and decimals.
 * The compiled form of `context` is memoised per context object, so pass the same (unchanged)
 * object for a batch. Never throws for bad data: failures come back with a reason code.
 */
export function rateRecord(record: UsageRecord, context: RatingContext): RatingResult {
  return rateCompiled(record, compiledFor(context), context.asOf, 'fast');
}

/** A rating function for a batch under one context, compiled once; `engine: 'reference'` forces decimal.js. */
export function createRater(context: RatingContext, options: { engine?: RatingEngine } = {}): (record: UsageRecord) => RatingResult {
  const compiled = compiledFor(context);
  const engine = options.engine ?? 'fast';
  return (record) => rateCompiled(record, compiled, context.asOf, engine);
}
