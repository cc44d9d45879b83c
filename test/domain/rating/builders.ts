// Test builders: a valid plan, rate or record with only what a test cares about spelled out.
import { parseRatePlan, type Rate, type RatedRecord, type RatePlan, type RatingContext, type RatingResult, type UsageRecord } from '../../../domain/rating/index';

export function aRate(overrides: Partial<Rate> = {}): Rate {
  return { id: 'voice', usageType: 'voice', unit: 'minute', price: '0.10', ...overrides };
}

/** A parsed (so validated) plan: EUR, half-up to 4 decimals, one voice rate unless told otherwise. */
export function aRatePlan(overrides: Partial<RatePlan> = {}): RatePlan {
  return parseRatePlan({
    id: 'plan',
    version: 1,
    currency: 'EUR',
    rounding: { method: 'half-up', decimals: 4 },
    rates: [aRate()],
    ...overrides,
  });
}

export function aRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return { id: 'r1', start: '2024-03-04T10:00:00Z', usageType: 'voice', durationSeconds: '60', ...overrides };
}

export function aContext(plans: RatePlan | RatePlan[], overrides: Partial<RatingContext> = {}): RatingContext {
  return { plans: Array.isArray(plans) ? plans : [plans], asOf: '2024-04-01T00:00:00Z', timeZone: 'UTC', ...overrides };
}

/** The result as a rated record; fails the test with the result when it is not. */
export function rated(result: RatingResult): RatedRecord {
  if (result.status !== 'rated') throw new Error(`expected a rated record, got ${JSON.stringify(result)}`);
  return result;
}
