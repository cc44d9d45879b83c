// What-if: the same records rated and charged under several plans, side by side, nothing posted
// (SPEC item 22). The first plan is the baseline; every total, account and category shows its delta
// against it. The durable workflow around this lives elsewhere; this is the pure comparison.
import { ZERO, formatFixed, formatPlain, money, type Money } from '../money';
import { createRater } from './rate-record';
import type { RatedUsage, PeriodCharges, PeriodChargesInput } from './period';
import type { RateOverride, RatePlan } from './plan-schema';
import type { UsageRecord } from './records';

export interface WhatIfOptions {
  asOf: string;
  timeZone: string;
  /** Subscription overrides; each plan chain uses those that name one of its plans. */
  overrides?: readonly RateOverride[];
  period?: PeriodChargesInput['period'];
}

export interface WhatIfTotal {
  plan: string;
  currency: string;
  amount: string;
  /** amount - baseline amount; null when the currencies differ. */
  delta: string | null;
  rated: number;
  deferred: number;
  failed: number;
  failures: Record<string, number>;
}

export interface WhatIfRow {
  key: string;
  plan: string;
  currency: string;
  amount: string;
  delta: string | null;
}

export interface WhatIfResult {
  baseline: string;
  plans: string[];
  totals: WhatIfTotal[];
  byAccount: WhatIfRow[];
  byCategory: WhatIfRow[];
}

type ComputeCharges = (input: PeriodChargesInput) => PeriodCharges;

interface PlanOutcome {
  name: string;
  currency: string;
  decimals: number;
  total: WhatIfTotal;
  accounts: Map<string, Money>;
  categories: Map<string, Money>;
}

function addTo(map: Map<string, Money>, key: string, amount: string): void {
  map.set(key, (map.get(key) ?? ZERO).plus(money(amount)));
}

function ratePlanOutcome(
  name: string,
  plans: readonly RatePlan[],
  records: readonly UsageRecord[],
  options: WhatIfOptions,
  computeCharges: ComputeCharges,
): PlanOutcome {
  const planIds = new Set(plans.map((plan) => plan.id));
  const overrides = (options.overrides ?? []).filter((override) => planIds.has(override.planId));
  const rate = createRater({ plans, overrides, asOf: options.asOf, timeZone: options.timeZone });
  const byAccount = new Map<string, RatedUsage[]>();
  const total: WhatIfTotal = { plan: name, currency: plans[0]?.currency ?? '', amount: '0', delta: null, rated: 0, deferred: 0, failed: 0, failures: {} };
  for (const record of records) {
    const result = rate(record);
    if (result.status === 'failed') total.failures[result.reason] = (total.failures[result.reason] ?? 0) + 1;
    total[result.status === 'rated' ? 'rated' : result.status === 'deferred' ? 'deferred' : 'failed'] += 1;
    const account = record.account ?? '';
    let items = byAccount.get(account);
    if (items === undefined) byAccount.set(account, (items = []));
    items.push({ record, result });
  }
  const accounts = new Map<string, Money>();
  const categories = new Map<string, Money>();
  for (const [account, items] of byAccount) {
    const charges = computeCharges({ plans, items, period: options.period });
    addTo(accounts, account, charges.total);
    for (const line of charges.lines) addTo(categories, line.category, line.amount);
  }
  const decimals = plans[0]?.rounding.decimals ?? 2;
  const sum = [...accounts.values()].reduce((acc, amount) => acc.plus(amount), ZERO);
  total.amount = formatFixed(sum, decimals);
  return { name, currency: total.currency, decimals, total, accounts, categories };
}

function rows(outcomes: readonly PlanOutcome[], pick: (outcome: PlanOutcome) => Map<string, Money>): WhatIfRow[] {
  const baseline = outcomes[0] as PlanOutcome;
  const keys = [...new Set(outcomes.flatMap((outcome) => [...pick(outcome).keys()]))].sort();
  return keys.flatMap((key) =>
    outcomes.map((outcome) => {
      const amount = pick(outcome).get(key) ?? ZERO;
      const base = pick(baseline).get(key) ?? ZERO;
      return {
        key,
        plan: outcome.name,
        currency: outcome.currency,
        amount: formatFixed(amount, outcome.decimals),
        delta: outcome.currency === baseline.currency ? formatPlain(amount.minus(base)) : null,
      };
    }),
  );
}

/**
 * Rates `records` under each plan (or plan chain, child first) and charges each account's records as
 * one period. Totals, per-account and per-category amounts are decimal strings in each plan's
 * currency and rounding; deltas are exact differences from the first (baseline) plan.
 */
export function compareRatingsWith(
  records: readonly UsageRecord[],
  plansByName: Readonly<Record<string, RatePlan | readonly RatePlan[]>>,
  options: WhatIfOptions,
  computeCharges: ComputeCharges,
): WhatIfResult {
  const names = Object.keys(plansByName);
  if (names.length === 0) throw new RangeError('compareRatings needs at least one plan');
  const outcomes = names.map((name) => {
    const plans = plansByName[name] as RatePlan | readonly RatePlan[];
    return ratePlanOutcome(name, Array.isArray(plans) ? plans : [plans as RatePlan], records, options, computeCharges);
  });
  const baseline = outcomes[0] as PlanOutcome;
  const totals = outcomes.map((outcome) => ({
    ...outcome.total,
    delta: outcome.currency === baseline.currency ? formatPlain(money(outcome.total.amount).minus(baseline.total.amount)) : null,
  }));
  return {
    baseline: baseline.name,
    plans: names,
    totals,
    byAccount: rows(outcomes, (outcome) => outcome.accounts),
    byCategory: rows(outcomes, (outcome) => outcome.categories),
  };
}

function csvCell(value: string | null): string {
  if (value === null) return '';
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV table: scope (total, account, category), key, plan, currency, amount, deltaVsBaseline. */
export function whatIfToCsv(result: WhatIfResult): string {
  const lines = ['scope,key,plan,currency,amount,deltaVsBaseline'];
  const push = (scope: string, row: { key: string; plan: string; currency: string; amount: string; delta: string | null }) =>
    lines.push([scope, row.key, row.plan, row.currency, row.amount, row.delta].map(csvCell).join(','));
  for (const total of result.totals) push('total', { ...total, key: '' });
  for (const row of result.byAccount) push('account', row);
  for (const row of result.byCategory) push('category', row);
  return `${lines.join('\n')}\n`;
}

/**
 * Merges what-if results of record sets that share no account (the durable what-if rates one chunk
 * of whole accounts at a time). Totals and categories add up exactly, accounts are concatenated,
 * and deltas are recomputed, so the merge equals comparing all records at once.
 */
export function mergeWhatIfResults(parts: readonly WhatIfResult[]): WhatIfResult {
  const first = parts[0];
  if (first === undefined) throw new RangeError('mergeWhatIfResults needs at least one part');
  const decimalsOf = (amount: string) => amount.split('.')[1]?.length ?? 0;
  const totals = first.plans.map((plan) => {
    const mine = parts.map((p) => p.totals.find((t) => t.plan === plan)!);
    const failures: Record<string, number> = {};
    for (const t of mine) for (const [reason, n] of Object.entries(t.failures)) failures[reason] = (failures[reason] ?? 0) + n;
    const amount = mine.reduce((acc, t) => acc.plus(money(t.amount)), ZERO);
    return {
      ...mine[0]!, amount: formatFixed(amount, decimalsOf(mine[0]!.amount)), failures,
      rated: mine.reduce((n, t) => n + t.rated, 0), deferred: mine.reduce((n, t) => n + t.deferred, 0), failed: mine.reduce((n, t) => n + t.failed, 0),
    };
  });
  const withDeltas = <T extends { plan: string; currency: string; amount: string; delta: string | null }>(items: T[], base: (item: T) => T | undefined) =>
    items.map((item) => {
      const b = base(item);
      return { ...item, delta: b && b.currency === item.currency ? formatPlain(money(item.amount).minus(b.amount)) : null };
    });
  const categorySums = new Map<string, WhatIfRow>();
  for (const row of parts.flatMap((p) => p.byCategory)) {
    const key = `${row.key}\u0000${row.plan}`;
    const seen = categorySums.get(key);
    categorySums.set(key, seen ? { ...seen, amount: formatFixed(money(seen.amount).plus(row.amount), decimalsOf(seen.amount)) } : { ...row });
  }
  const order = (rows: WhatIfRow[]) =>
    rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : first.plans.indexOf(a.plan) - first.plans.indexOf(b.plan)));
  const categories = order([...categorySums.values()]);
  return {
    baseline: first.baseline,
    plans: first.plans,
    totals: withDeltas(totals, () => totals[0]),
    byAccount: order(parts.flatMap((p) => p.byAccount)),
    byCategory: withDeltas(categories, (row) => categorySums.get(`${row.key}\u0000${first.baseline}`)),
  };
}
