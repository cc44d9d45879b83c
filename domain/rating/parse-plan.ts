// The one door into a rate plan: structure (zod) and rules (plan-checks) in one pass, every problem
// reported at once with its JSON path, so an author fixes a plan in one round trip.
import { ValidationError } from '../errors';
import { planIssues, type PlanIssue } from './plan-checks';
import { rateOverrideSchema, ratePlanSchema, type RateOverride, type RatePlan } from './plan-schema';

function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  let result = '$';
  for (const key of path) result += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return result;
}

/**
 * Validates a rate plan version completely and returns it typed. Throws ValidationError whose issues
 * each carry a JSON path ("$.rates[2].unit") and a message; nothing is half-accepted.
 */
export function parseRatePlan(json: unknown): RatePlan {
  const parsed = ratePlanSchema.safeParse(json);
  if (!parsed.success) {
    const issues: PlanIssue[] = parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
    throw new ValidationError(`invalid rate plan: ${issues.length} problem(s)`, issues);
  }
  const issues = planIssues(parsed.data);
  if (issues.length > 0) throw new ValidationError(`invalid rate plan: ${issues.length} problem(s)`, issues);
  return parsed.data;
}

/** Validates a list of subscription rate overrides. */
export function parseRateOverrides(json: unknown): RateOverride[] {
  const parsed = rateOverrideSchema.array().safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message }));
    throw new ValidationError(`invalid rate overrides: ${issues.length} problem(s)`, issues);
  }
  return parsed.data;
}
