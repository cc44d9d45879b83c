// Rules over a structurally valid plan that a schema cannot say field by field: references between
// parts, tiers that overlap, windows that can never open, ambiguous zones. Each finding carries the
// JSON path of the offending value so a plan author can go straight to it.
import { compareDecimalStrings } from '../money';
import { isCurrencyCode } from './currencies';
import type { Condition, PeriodCharge, Rate, RatePlan } from './plan-schema';
import { isTimeUnit } from './units';
import { windowIssues } from './windows';

export interface PlanIssue {
  path: string;
  message: string;
}

export function planIssues(plan: RatePlan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  if (!isCurrencyCode(plan.currency)) {
    issues.push({ path: '$.currency', message: `${plan.currency} is not an ISO 4217 currency code in use` });
  }
  if (plan.parent?.id === plan.id) issues.push({ path: '$.parent.id', message: 'a plan cannot be its own parent' });
  issues.push(...duplicateIssues(plan));
  issues.push(...zoneIssues(plan));
  plan.windows?.forEach((window, index) => {
    for (const found of windowIssues(window)) issues.push({ path: `$.windows[${index}]${found.path}`, message: found.message });
  });
  plan.rates?.forEach((rate, index) => issues.push(...rateIssues(plan, rate, `$.rates[${index}]`)));
  issues.push(...usageTypeIssues(plan));
  plan.charges?.forEach((charge, index) => issues.push(...chargeIssues(charge, `$.charges[${index}]`)));
  issues.push(...discountIssues(plan));
  issues.push(...markupIssues(plan));
  return issues;
}

function duplicateIssues(plan: RatePlan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const lists: Array<[string, Array<{ id?: string; name?: string }> | undefined, 'id' | 'name']> = [
    ['zones', plan.zones, 'name'],
    ['windows', plan.windows, 'name'],
    ['rates', plan.rates, 'id'],
    ['charges', plan.charges, 'id'],
    ['discounts', plan.discounts, 'id'],
  ];
  for (const [key, list, field] of lists) {
    const seen = new Set<string>();
    list?.forEach((item, index) => {
      const value = item[field] ?? '';
      if (seen.has(value)) issues.push({ path: `$.${key}[${index}].${field}`, message: `duplicate ${field} "${value}" in ${key}` });
      seen.add(value);
    });
  }
  return issues;
}

function zoneIssues(plan: RatePlan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const owners = new Map<string, { zone: string; weight: number }>();
  let catchAll: string | null = null;
  plan.zones?.forEach((zone, zoneIndex) => {
    const path = `$.zones[${zoneIndex}]`;
    if (zone.catchAll) {
      if (catchAll !== null) issues.push({ path: `${path}.catchAll`, message: `zone "${catchAll}" is already the catch-all zone` });
      catchAll = zone.name;
    } else if (!zone.prefixes || zone.prefixes.length === 0) {
      issues.push({ path: `${path}.prefixes`, message: 'a zone needs at least one prefix unless it is the catch-all zone' });
    }
    const weight = zone.weight ?? 0;
    zone.prefixes?.forEach((prefix, prefixIndex) => {
      const digits = prefix.startsWith('+') ? prefix.slice(1) : prefix;
      const owner = owners.get(digits);
      if (owner && owner.zone !== zone.name && owner.weight === weight) {
        issues.push({
          path: `${path}.prefixes[${prefixIndex}]`,
          message: `prefix ${prefix} is also in zone "${owner.zone}" with the same weight ${weight}; give one zone a higher weight`,
        });
      }
      if (!owner || weight > owner.weight) owners.set(digits, { zone: zone.name, weight });
    });
  });
  return issues;
}

function rateIssues(plan: RatePlan, rate: Rate, path: string): PlanIssue[] {
  const issues: PlanIssue[] = [];
  if (rate.zone !== undefined && !plan.zones?.some((zone) => zone.name === rate.zone)) {
    issues.push({ path: `${path}.zone`, message: `no zone named "${rate.zone}" in this plan` });
  }
  if (rate.window !== undefined && !plan.windows?.some((window) => window.name === rate.window)) {
    issues.push({ path: `${path}.window`, message: `no window named "${rate.window}" in this plan` });
  }
  rate.when?.forEach((condition, index) => issues.push(...conditionIssues(condition, `${path}.when[${index}]`)));
  const timeBased = isTimeUnit(rate.unit);
  if (!timeBased && (rate.steps || rate.incrementSeconds !== undefined)) {
    issues.push({ path: `${path}.${rate.steps ? 'steps' : 'incrementSeconds'}`, message: `steps and incrementSeconds apply to time units only, not "${rate.unit}"` });
  }
  if (timeBased && rate.increment !== undefined) {
    issues.push({ path: `${path}.increment`, message: 'a time-based rate sets incrementSeconds or steps, not increment' });
  }
  if (rate.steps && rate.incrementSeconds !== undefined) {
    issues.push({ path: `${path}.incrementSeconds`, message: 'give the increment inside each step when steps are used' });
  }
  if (rate.increment !== undefined && compareDecimalStrings(rate.increment, '0') <= 0) {
    issues.push({ path: `${path}.increment`, message: 'increment must be greater than zero' });
  }
  rate.steps?.forEach((step, index) => {
    const previous = index > 0 ? rate.steps?.[index - 1] : undefined;
    if (index === 0 && step.fromSeconds !== 0) issues.push({ path: `${path}.steps[0].fromSeconds`, message: 'the first step starts at 0 seconds' });
    if (previous && step.fromSeconds <= previous.fromSeconds) {
      issues.push({ path: `${path}.steps[${index}].fromSeconds`, message: 'steps must start at increasing offsets' });
    }
  });
  if (rate.maxCharge && rate.minimumCharge && compareDecimalStrings(rate.maxCharge.amount, rate.minimumCharge) < 0) {
    issues.push({ path: `${path}.maxCharge.amount`, message: 'maxCharge is below minimumCharge' });
  }
  return issues;
}

export function conditionIssues(condition: Condition, path: string): PlanIssue[] {
  const operators = (['equals', 'oneOf', 'range', 'regex'] as const).filter((key) => condition[key] !== undefined);
  if (operators.length !== 1) {
    return [{ path, message: `a condition needs exactly one of equals, oneOf, range, regex (found ${operators.length})` }];
  }
  if (condition.regex !== undefined) {
    try {
      new RegExp(condition.regex);
    } catch (error) {
      return [{ path: `${path}.regex`, message: `invalid regular expression: ${(error as Error).message}` }];
    }
  }
  const range = condition.range;
  if (range) {
    if (range.min === undefined && range.max === undefined) return [{ path: `${path}.range`, message: 'a range needs min, max or both' }];
    if (range.min !== undefined && range.max !== undefined && compareDecimalStrings(range.min, range.max) > 0) {
      return [{ path: `${path}.range`, message: 'range min is greater than max' }];
    }
  }
  return [];
}

function usageTypeIssues(plan: RatePlan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const measures = new Map<string, boolean>();
  plan.rates?.forEach((rate, index) => {
    const timeBased = isTimeUnit(rate.unit);
    const known = measures.get(rate.usageType);
    if (known !== undefined && known !== timeBased) {
      issues.push({ path: `$.rates[${index}].unit`, message: `usage type "${rate.usageType}" is priced both by time and by quantity` });
    }
    measures.set(rate.usageType, timeBased);
  });
  const charged = new Set<string>();
  plan.charges?.forEach((charge, index) => {
    const key = `${charge.usageType}\u0000${charge.product ?? ''}`;
    if (charged.has(key)) issues.push({ path: `$.charges[${index}].usageType`, message: `usage type "${charge.usageType}" already has a period charge` });
    charged.add(key);
    if (measures.has(charge.usageType)) {
      issues.push({ path: `$.charges[${index}].usageType`, message: `usage type "${charge.usageType}" is already priced per record by a rate` });
    }
  });
  return issues;
}

function tierIssues(tiers: Array<{ from: string; upTo?: string | null | undefined }>, path: string): PlanIssue[] {
  const issues: PlanIssue[] = [];
  tiers.forEach((tier, index) => {
    const tierPath = `${path}[${index}]`;
    const previous = tiers[index - 1];
    if (index === 0 && compareDecimalStrings(tier.from, '0') !== 0) issues.push({ path: `${tierPath}.from`, message: 'the first tier starts at 0' });
    if (previous) {
      const previousEnd = previous.upTo;
      if (previousEnd === null || previousEnd === undefined) {
        issues.push({ path: tierPath, message: 'a tier follows an open-ended tier: the tiers overlap' });
      } else {
        const order = compareDecimalStrings(tier.from, previousEnd);
        if (order < 0) issues.push({ path: `${tierPath}.from`, message: `tier starts at ${tier.from}, inside the previous tier (up to ${previousEnd}): the tiers overlap` });
        if (order > 0) issues.push({ path: `${tierPath}.from`, message: `tier starts at ${tier.from} but the previous one ends at ${previousEnd}: the tiers leave a gap` });
      }
    }
    if (tier.upTo !== null && tier.upTo !== undefined && compareDecimalStrings(tier.upTo, tier.from) <= 0) {
      issues.push({ path: `${tierPath}.upTo`, message: 'tier bounds must increase: upTo must be greater than from' });
    }
  });
  const last = tiers[tiers.length - 1];
  if (last && last.upTo !== null && last.upTo !== undefined) {
    issues.push({ path: `${path}[${tiers.length - 1}].upTo`, message: 'the last tier must be open-ended (no upTo) so every unit has a price' });
  }
  return issues;
}

function chargeIssues(charge: PeriodCharge, path: string): PlanIssue[] {
  switch (charge.model) {
    case 'graduated':
    case 'volume':
    case 'graduatedPercentage':
      return tierIssues(charge.tiers, `${path}.tiers`);
    case 'package':
      return compareDecimalStrings(charge.packageSize, '0') > 0
        ? []
        : [{ path: `${path}.packageSize`, message: 'packageSize must be greater than zero' }];
    case 'percentage':
      return charge.minPerEvent !== undefined && charge.maxPerEvent !== undefined && compareDecimalStrings(charge.minPerEvent, charge.maxPerEvent) > 0
        ? [{ path: `${path}.minPerEvent`, message: 'minPerEvent is greater than maxPerEvent' }]
        : [];
    case 'standard':
    case 'includedQuota':
      return [];
  }
}

function discountIssues(plan: RatePlan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  plan.discounts?.forEach((discount, index) => {
    const path = `$.discounts[${index}]`;
    if (discount.level === 'period' && discount.when) {
      issues.push({ path: `${path}.when`, message: 'attribute conditions apply to record-level discounts only; use usageTypes/products' });
    }
    if (discount.level === 'period' && discount.appliesTo) {
      issues.push({ path: `${path}.appliesTo`, message: 'appliesTo selects records and is for record-level discounts only' });
    }
    discount.when?.forEach((condition, conditionIndex) => issues.push(...conditionIssues(condition, `${path}.when[${conditionIndex}]`)));
    if (discount.kind === 'percentage' && compareDecimalStrings(discount.percent, '100') > 0) {
      issues.push({ path: `${path}.percent`, message: 'a percentage discount cannot exceed 100' });
    }
    if (discount.kind === 'freeUsage' && compareDecimalStrings(discount.quantity, '0') <= 0) {
      issues.push({ path: `${path}.quantity`, message: 'free usage must be greater than zero' });
    }
  });
  return issues;
}

function markupIssues(plan: RatePlan): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const seen = new Set<string>();
  plan.markups?.parties.forEach((party, index) => {
    const path = `$.markups.parties[${index}]`;
    if (seen.has(party.party)) issues.push({ path: `${path}.party`, message: `party "${party.party}" appears twice` });
    seen.add(party.party);
    if (index === 0 && party.markupPercent !== undefined) {
      issues.push({ path: `${path}.markupPercent`, message: 'the first party is the cost and has no markup' });
    }
    if (index > 0 && party.markupPercent === undefined) {
      issues.push({ path: `${path}.markupPercent`, message: `party "${party.party}" has no markup (Emersion: invalid rate)` });
    }
  });
  return issues;
}
