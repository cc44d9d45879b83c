// Compiles a rating context (the plan chain, the subscription's overrides, the time zone) once into
// lookup tables and scaled-integer prices, so rating a record does no parsing and no Decimal work on
// the common path. A context that cannot rate anything (no plan, broken chain, unknown override,
// unknown time zone) compiles to a failure that every record then reports.
import { AMOUNT_SCALE, decimalsOf, parseScaled, type RoundingMethod } from '../money';
import { parseInstant } from './calendar';
import { compileCondition, type CompiledCondition } from './conditions';
import type { Markups, PeriodCharge, Rate, RateOverride, RatePlan } from './plan-schema';
import { zoneClock, type ZoneClock } from './time-zone';
import { unitInfo, type UnitInfo } from './units';
import { compileWindow, type CompiledWindow } from './windows';
import { buildZoneIndex, type ZoneIndex } from './zones';

export interface RatingContext {
  /** The resolved chain, child first: the subscription's plan version, then its parent, and so on. */
  plans: readonly RatePlan[];
  /** The subscription's rate overrides. */
  overrides?: readonly RateOverride[];
  /** When the rating happens (the workflow's `now`); recorded in every result. */
  asOf: string;
  /** The account's IANA time zone; time windows are read on its wall clock. */
  timeZone: string;
}

export interface PlanRef {
  readonly id: string;
  readonly version: number;
}

/** What a trace says about a rate; one frozen object per compiled rate, shared by all results. */
export interface RateRef {
  readonly planId: string;
  readonly planVersion: number;
  /** 0 for the subscription's own plan, 1 for its parent, ... */
  readonly level: number;
  readonly rateId: string;
  readonly usageType: string;
  readonly unit: string;
  readonly unitPrice: string;
  readonly override: boolean;
  readonly zone: string | null;
  readonly window: string | null;
  readonly conditions: readonly string[];
}

export interface CompiledStep {
  readonly fromMs: number;
  readonly toMs: number;
  readonly incrementMs: number;
  readonly price: string;
  /** Price at AMOUNT_SCALE decimals, or null when it does not fit a safe integer. */
  readonly price10: number | null;
}

export interface CompiledRate {
  readonly ref: RateRef;
  readonly level: number;
  readonly timeBased: boolean;
  readonly unit: UnitInfo;
  readonly zone: string | null;
  readonly window: CompiledWindow | null;
  readonly conditions: readonly CompiledCondition[];
  readonly price: string;
  readonly price10: number | null;
  readonly connectFee: string | null;
  readonly connectFee10: number | null;
  readonly minimumCharge: string | null;
  readonly minimumCharge10: number | null;
  readonly maxCharge: { readonly amount: string; readonly amount10: number | null; readonly action: 'cap' | 'flag' } | null;
  readonly steps: readonly CompiledStep[];
  readonly increment: string | null;
}

export interface UsageTypeRates {
  readonly rates: readonly CompiledRate[];
  readonly anyZone: boolean;
  readonly anyConditions: boolean;
}

export interface CompiledLevel {
  readonly plan: RatePlan;
  readonly ref: PlanRef;
  readonly zones: ZoneIndex;
  readonly byUsageType: ReadonlyMap<string, UsageTypeRates>;
}

export interface CompiledDiscount {
  readonly id: string;
  readonly kind: 'percentage' | 'fixed';
  /** Percent for 'percentage', amount for 'fixed'. */
  readonly value: string;
  /** `value` as an integer at `valueScale` decimals (null when not a safe integer). */
  readonly valueScaled: number | null;
  readonly valueScale: number;
  readonly usageTypes: ReadonlySet<string> | null;
  readonly products: ReadonlySet<string> | null;
  readonly conditions: readonly CompiledCondition[];
  readonly appliesTo: 'rated' | 'prerated' | 'all';
}

export interface CompiledContext {
  readonly levels: readonly CompiledLevel[];
  readonly planRefs: readonly PlanRef[];
  readonly currency: string;
  readonly roundingMethod: RoundingMethod;
  readonly decimals: number;
  readonly timeZone: string;
  readonly clock: ZoneClock;
  readonly asOf: string;
  /** Window edges (ms after local midnight) of all rates of a usage type, over all levels, sorted. */
  readonly edges: ReadonlyMap<string, readonly number[]>;
  /** Usage types priced by a period charge, with the first level that charges them. */
  readonly charged: ReadonlyMap<string, { readonly plan: PlanRef; readonly charge: PeriodCharge }>;
  readonly recordDiscounts: readonly CompiledDiscount[];
  /** Memo: the record discounts whose usage-type filter admits a usage type. */
  readonly discountsByUsageType: Map<string, readonly CompiledDiscount[]>;
  readonly markups: Markups | null;
}

export type CompileOutcome =
  | { ok: true; context: CompiledContext }
  | { ok: false; reason: 'NO_PLAN' | 'INVALID_RATE'; message: string };

export function compileContext(context: RatingContext): CompileOutcome {
  const chainProblem = checkChain(context);
  if (chainProblem) return chainProblem;
  let clock: ZoneClock;
  try {
    clock = zoneClock(context.timeZone);
  } catch {
    return { ok: false, reason: 'INVALID_RATE', message: `unknown time zone "${context.timeZone}"` };
  }
  const overrides = indexOverrides(context);
  if (typeof overrides === 'string') return { ok: false, reason: 'INVALID_RATE', message: overrides };
  const levels = context.plans.map((plan, level) => compileLevel(plan, level, overrides));
  const first = context.plans[0] as RatePlan;
  return {
    ok: true,
    context: {
      levels,
      planRefs: Object.freeze(levels.map((level) => level.ref)),
      currency: first.currency,
      roundingMethod: first.rounding.method,
      decimals: first.rounding.decimals,
      timeZone: context.timeZone,
      clock,
      asOf: context.asOf,
      edges: collectEdges(levels),
      charged: collectCharges(context.plans),
      recordDiscounts: compileRecordDiscounts(context.plans),
      discountsByUsageType: new Map(),
      markups: context.plans.find((plan) => plan.markups)?.markups ?? null,
    },
  };
}

function checkChain(context: RatingContext): CompileOutcome | null {
  const plans = context.plans;
  if (plans.length === 0) return { ok: false, reason: 'NO_PLAN', message: 'no rate plan is assigned' };
  if (parseInstant(context.asOf) === null) return { ok: false, reason: 'INVALID_RATE', message: `asOf "${context.asOf}" is not an ISO 8601 instant` };
  const seen = new Set<string>();
  for (const [index, plan] of plans.entries()) {
    const invalid = (message: string): CompileOutcome => ({ ok: false, reason: 'INVALID_RATE', message });
    if (seen.has(plan.id)) return invalid(`plan ${plan.id} appears twice in the chain (cycle)`);
    seen.add(plan.id);
    if (plan.currency !== plans[0]?.currency) return invalid(`plan ${plan.id} is in ${plan.currency}, its child in ${plans[0]?.currency}`);
    const next = plans[index + 1];
    if (plan.parent && next?.id !== plan.parent.id) return invalid(`plan ${plan.id} has parent ${plan.parent.id}, which is not next in the chain`);
    if (!plan.parent && next) return invalid(`plan ${plan.id} has no parent but ${next.id} follows it in the chain`);
  }
  return null;
}

function indexOverrides(context: RatingContext): Map<string, RateOverride> | string {
  const byKey = new Map<string, RateOverride>();
  for (const override of context.overrides ?? []) {
    const plan = context.plans.find((candidate) => candidate.id === override.planId);
    if (!plan?.rates?.some((rate) => rate.id === override.rateId)) {
      return `override of rate ${override.rateId} in plan ${override.planId}: no such rate in the plan chain`;
    }
    const key = `${override.planId}\u0000${override.rateId}`;
    if (byKey.has(key)) return `two overrides of rate ${override.rateId} in plan ${override.planId}`;
    byKey.set(key, override);
  }
  return byKey;
}

function compileLevel(plan: RatePlan, level: number, overrides: Map<string, RateOverride>): CompiledLevel {
  const windows = new Map((plan.windows ?? []).map((window) => [window.name, compileWindow(window)]));
  const byUsageType = new Map<string, CompiledRate[]>();
  for (const rate of plan.rates ?? []) {
    const override = overrides.get(`${plan.id}\u0000${rate.id}`);
    const compiled = compileRate(plan, level, rate, override, windows);
    const list = byUsageType.get(rate.usageType) ?? [];
    list.push(compiled);
    byUsageType.set(rate.usageType, list);
  }
  const usage = new Map<string, UsageTypeRates>();
  for (const [usageType, rates] of byUsageType) {
    usage.set(usageType, {
      rates,
      anyZone: rates.some((rate) => rate.zone !== null),
      anyConditions: rates.some((rate) => rate.conditions.length > 0),
    });
  }
  return { plan, ref: Object.freeze({ id: plan.id, version: plan.version }), zones: buildZoneIndex(plan.zones ?? []), byUsageType: usage };
}

function compileRate(
  plan: RatePlan,
  level: number,
  rate: Rate,
  override: RateOverride | undefined,
  windows: Map<string, CompiledWindow>,
): CompiledRate {
  const price = override?.price ?? rate.price;
  const connectFee = override?.connectFee ?? rate.connectFee ?? null;
  const minimumCharge = override?.minimumCharge ?? rate.minimumCharge ?? null;
  const conditions = (rate.when ?? []).map(compileCondition);
  const unit = unitInfo(rate.unit);
  const ref: RateRef = Object.freeze({
    planId: plan.id,
    planVersion: plan.version,
    level,
    rateId: rate.id,
    usageType: rate.usageType,
    unit: rate.unit,
    unitPrice: price,
    override: override !== undefined,
    zone: rate.zone ?? null,
    window: rate.window ?? null,
    conditions: Object.freeze(conditions.map((condition) => condition.description)),
  });
  return {
    ref,
    level,
    timeBased: unit.family === 'time',
    unit,
    zone: rate.zone ?? null,
    window: rate.window === undefined ? null : (windows.get(rate.window) ?? null),
    conditions,
    price,
    price10: parseScaled(price, AMOUNT_SCALE),
    connectFee,
    connectFee10: connectFee === null ? 0 : parseScaled(connectFee, AMOUNT_SCALE),
    minimumCharge,
    minimumCharge10: minimumCharge === null ? 0 : parseScaled(minimumCharge, AMOUNT_SCALE),
    maxCharge: rate.maxCharge
      ? { amount: rate.maxCharge.amount, amount10: parseScaled(rate.maxCharge.amount, AMOUNT_SCALE), action: rate.maxCharge.action }
      : null,
    steps: compileSteps(rate, price),
    increment: rate.increment ?? null,
  };
}

function compileSteps(rate: Rate, price: string): CompiledStep[] {
  const steps = rate.steps ?? [{ fromSeconds: 0, incrementSeconds: rate.incrementSeconds ?? 1 }];
  return steps.map((step, index) => {
    const stepPrice = step.price ?? price;
    const next = steps[index + 1];
    return {
      fromMs: step.fromSeconds * 1000,
      toMs: next ? next.fromSeconds * 1000 : Number.POSITIVE_INFINITY,
      incrementMs: step.incrementSeconds * 1000,
      price: stepPrice,
      price10: parseScaled(stepPrice, AMOUNT_SCALE),
    };
  });
}

function collectEdges(levels: readonly CompiledLevel[]): Map<string, number[]> {
  const edges = new Map<string, Set<number>>();
  for (const level of levels) {
    for (const [usageType, usage] of level.byUsageType) {
      const set = edges.get(usageType) ?? new Set<number>();
      for (const rate of usage.rates) for (const edge of rate.window?.edges ?? []) set.add(edge);
      edges.set(usageType, set);
    }
  }
  return new Map([...edges].map(([usageType, set]) => [usageType, [...set].sort((a, b) => a - b)]));
}

export function collectCharges(plans: readonly RatePlan[]): Map<string, { plan: PlanRef; charge: PeriodCharge }> {
  const charged = new Map<string, { plan: PlanRef; charge: PeriodCharge }>();
  for (const plan of plans) {
    for (const charge of plan.charges ?? []) {
      if (!charged.has(charge.usageType)) charged.set(charge.usageType, { plan: { id: plan.id, version: plan.version }, charge });
    }
  }
  return charged;
}

function compileRecordDiscounts(plans: readonly RatePlan[]): CompiledDiscount[] {
  const discounts = plans.find((plan) => plan.discounts)?.discounts ?? [];
  const compiled: CompiledDiscount[] = [];
  for (const discount of discounts) {
    if (discount.level !== 'record') continue;
    const value = discount.kind === 'percentage' ? discount.percent : discount.amount;
    // Percentages keep their own decimals (fewer digits, later overflow); amounts use AMOUNT_SCALE.
    const valueScale = discount.kind === 'percentage' ? decimalsOf(value) : AMOUNT_SCALE;
    compiled.push({
      id: discount.id,
      kind: discount.kind,
      value,
      valueScaled: parseScaled(value, valueScale),
      valueScale,
      usageTypes: discount.usageTypes ? new Set(discount.usageTypes) : null,
      products: discount.products ? new Set(discount.products) : null,
      conditions: (discount.when ?? []).map(compileCondition),
      appliesTo: discount.appliesTo ?? 'all',
    });
  }
  // Documented order (docs/rating.md): percentages first, in plan order, then fixed amounts.
  return [...compiled.filter((discount) => discount.kind === 'percentage'), ...compiled.filter((discount) => discount.kind === 'fixed')];
}
