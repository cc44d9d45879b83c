// Which plan prices a record: assignments to a subscription, an account, a customer group or
// everyone, most specific first (SPEC item 23); then the plan's version in force at the usage
// instant, then its parents. Pure lookups over data the caller loaded.
import { z } from 'zod';
import { parseInstant } from './calendar';
import type { RatePlan } from './plan-schema';

export const ASSIGNMENT_SCOPES = ['subscription', 'account', 'customerGroup', 'global'] as const;
export type AssignmentScope = (typeof ASSIGNMENT_SCOPES)[number];

export const planAssignmentSchema = z.strictObject({
  planId: z.string().min(1),
  scope: z.enum(ASSIGNMENT_SCOPES),
  /** Subscription, account or customer group id; absent for global. */
  targetId: z.string().min(1).optional(),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validTo: z.iso.datetime({ offset: true }).optional(),
});
export type PlanAssignment = z.infer<typeof planAssignmentSchema>;

export interface AssignmentTarget {
  subscriptionId?: string;
  accountId?: string;
  customerGroupIds?: readonly string[];
}

function specificity(assignment: PlanAssignment, target: AssignmentTarget): number {
  switch (assignment.scope) {
    case 'subscription':
      return assignment.targetId !== undefined && assignment.targetId === target.subscriptionId ? 3 : -1;
    case 'account':
      return assignment.targetId !== undefined && assignment.targetId === target.accountId ? 2 : -1;
    case 'customerGroup':
      return assignment.targetId !== undefined && (target.customerGroupIds ?? []).includes(assignment.targetId) ? 1 : -1;
    case 'global':
      return 0;
  }
}

function validAt(assignment: PlanAssignment, atMs: number): boolean {
  const from = assignment.validFrom === undefined ? Number.NEGATIVE_INFINITY : (parseInstant(assignment.validFrom) ?? Number.POSITIVE_INFINITY);
  const to = assignment.validTo === undefined ? Number.POSITIVE_INFINITY : (parseInstant(assignment.validTo) ?? Number.NEGATIVE_INFINITY);
  return from <= atMs && atMs < to;
}

/**
 * The assignment in force at `atInstant` for the target: subscription beats account beats customer
 * group beats global; at equal specificity the latest validFrom wins, then the one listed first.
 */
export function resolvePlanAssignment(
  assignments: readonly PlanAssignment[],
  target: AssignmentTarget,
  atInstant: string,
): PlanAssignment | null {
  const atMs = parseInstant(atInstant);
  if (atMs === null) return null;
  let best: { assignment: PlanAssignment; rank: number; fromMs: number } | null = null;
  for (const assignment of assignments) {
    const rank = specificity(assignment, target);
    if (rank < 0 || !validAt(assignment, atMs)) continue;
    const fromMs = assignment.validFrom === undefined ? Number.NEGATIVE_INFINITY : (parseInstant(assignment.validFrom) ?? 0);
    if (best === null || rank > best.rank || (rank === best.rank && fromMs > best.fromMs)) best = { assignment, rank, fromMs };
  }
  return best?.assignment ?? null;
}

/** The version of `planId` in force at `atInstant`: the latest effectiveFrom not after it, then the highest version. */
export function resolvePlanVersion(versions: readonly RatePlan[], planId: string, atInstant: string): RatePlan | null {
  const atMs = parseInstant(atInstant);
  if (atMs === null) return null;
  let best: { plan: RatePlan; fromMs: number } | null = null;
  for (const plan of versions) {
    if (plan.id !== planId) continue;
    const fromMs = plan.effectiveFrom === undefined ? Number.NEGATIVE_INFINITY : (parseInstant(plan.effectiveFrom) ?? Number.POSITIVE_INFINITY);
    if (fromMs > atMs) continue;
    if (best === null || fromMs > best.fromMs || (fromMs === best.fromMs && plan.version > best.plan.version)) best = { plan, fromMs };
  }
  return best?.plan ?? null;
}

export type PlanChainOutcome =
  | { ok: true; plans: RatePlan[] }
  | { ok: false; reason: 'NO_PLAN' | 'INVALID_RATE'; message: string };

/** The chain child -> parents of `planId`, each at its version in force at `atInstant`. */
export function resolvePlanChain(versions: readonly RatePlan[], planId: string, atInstant: string): PlanChainOutcome {
  const plans: RatePlan[] = [];
  let nextId: string | undefined = planId;
  while (nextId !== undefined) {
    if (plans.some((plan) => plan.id === nextId)) return { ok: false, reason: 'INVALID_RATE', message: `plan ${nextId} is its own ancestor` };
    const plan = resolvePlanVersion(versions, nextId, atInstant);
    if (plan === null) {
      return plans.length === 0
        ? { ok: false, reason: 'NO_PLAN', message: `no version of plan ${nextId} is in force at ${atInstant}` }
        : { ok: false, reason: 'INVALID_RATE', message: `parent plan ${nextId} has no version in force at ${atInstant}` };
    }
    plans.push(plan);
    nextId = plan.parent?.id;
  }
  return { ok: true, plans };
}

/** Assignment, then version and parents: the `plans` of a rating context for one record. */
export function resolveRatingPlans(
  assignments: readonly PlanAssignment[],
  versions: readonly RatePlan[],
  target: AssignmentTarget,
  atInstant: string,
): PlanChainOutcome {
  const assignment = resolvePlanAssignment(assignments, target, atInstant);
  if (assignment === null) return { ok: false, reason: 'NO_PLAN', message: 'no rate plan is assigned to the subscription, its account, its customer groups or globally' };
  return resolvePlanChain(versions, assignment.planId, atInstant);
}
