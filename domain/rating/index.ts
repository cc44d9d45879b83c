// The rating engine's public surface, and the one switch over pricing models: adding a model means a
// file in models/, a schema branch in plan-schema.ts, and a case here that the compiler insists on.
import { DomainError } from '../errors';
import { priceGraduatedPercentage } from './models/graduated-percentage';
import { priceGraduated } from './models/graduated';
import { priceIncludedQuota } from './models/included-quota';
import { pricePackage } from './models/package';
import { pricePercentage } from './models/percentage';
import { priceStandard } from './models/standard';
import type { ChargeUsage, ModelPrice } from './models/types';
import { priceVolume } from './models/volume';
import { periodCharges, type PeriodCharges, type PeriodChargesInput } from './period';
import type { PeriodCharge, RatePlan } from './plan-schema';
import type { UsageRecord } from './records';
import { compareRatingsWith, type WhatIfOptions, type WhatIfResult } from './what-if';

/** Prices one period charge over its usage (exact; the period line rounds it). */
export function priceCharge(charge: PeriodCharge, usage: ChargeUsage): ModelPrice {
  switch (charge.model) {
    case 'standard':
      return priceStandard(charge, usage);
    case 'package':
      return pricePackage(charge, usage);
    case 'graduated':
      return priceGraduated(charge, usage);
    case 'volume':
      return priceVolume(charge, usage);
    case 'graduatedPercentage':
      return priceGraduatedPercentage(charge, usage);
    case 'percentage':
      return pricePercentage(charge, usage);
    case 'includedQuota':
      return priceIncludedQuota(charge, usage);
    default:
      return unknownModel(charge);
  }
}

function unknownModel(charge: never): never {
  throw new DomainError('INVALID_RATE', `unknown pricing model ${(charge as PeriodCharge).model}`);
}

/**
 * Charges of one subscription's billing period from its rated records (records rated per record add
 * up; deferred records are priced by their charge model), then period discounts and the minimum
 * commitment true-up. Amounts are decimal strings rounded once per line with the plan's rounding;
 * the result does not depend on the order of `items`.
 */
export function computePeriodCharges(input: PeriodChargesInput): PeriodCharges {
  if (input.plans.length === 0) throw new DomainError('NO_PLAN', 'period charges need the subscription plan chain');
  return periodCharges(input, priceCharge);
}

/**
 * What-if: rates and charges the same records under each named plan (or chain, child first), with
 * totals per plan, per account and per category and their deltas against the first plan.
 */
export function compareRatings(
  records: readonly UsageRecord[],
  plansByName: Readonly<Record<string, RatePlan | readonly RatePlan[]>>,
  options: WhatIfOptions,
): WhatIfResult {
  return compareRatingsWith(records, plansByName, options, computePeriodCharges);
}

export { whatIfToCsv, mergeWhatIfResults, type WhatIfOptions, type WhatIfResult, type WhatIfRow, type WhatIfTotal } from './what-if';
export { ratePlanSchema, ratePlanJsonSchema, rateOverrideSchema } from './plan-schema';
export type { RatePlan, Rate, RateOverride, PeriodCharge, PricingModel, Discount, Zone, TimeWindow, Condition } from './plan-schema';
export { parseRatePlan, parseRateOverrides } from './parse-plan';
export { rateRecord, createRater, type RatingEngine } from './rate-record';
export type { RatingContext, PlanRef, RateRef } from './compile';
export type * from './result';
export {
  usageRecordSchema,
  parseUsageRecords,
  recordFromColumns,
  recordFromJson,
  PRERATED_SCHEMAS,
  type UsageRecord,
  type PreratedSchema,
} from './records';
export type { RatedUsage, PeriodChargesInput, PeriodCharges, ChargeLine } from './period';
export type { ChargeUsage, ModelPrice, ChargeDetail } from './models/types';
export {
  resolvePlanAssignment,
  resolvePlanVersion,
  resolvePlanChain,
  resolveRatingPlans,
  planAssignmentSchema,
  type PlanAssignment,
  type AssignmentTarget,
  type PlanChainOutcome,
} from './assignment';
