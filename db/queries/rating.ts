import { isDeepStrictEqual } from 'node:util';
import { and, asc, eq, inArray, isNull, lte, or, gt, sql } from 'drizzle-orm';
import { DomainError, NotFoundError, ValidationError } from '../../domain/errors';
import {
  resolvePlanChain, resolvePlanVersion, resolveRatingPlans, type AssignmentTarget, type PlanAssignment, type RatePlan, type RateOverride,
} from '../../domain/rating';
import type { DbOrTx } from '../client';
import { ratePlanAssignments, ratePlanVersions, rateOverrides } from '../schema';

export type PlanVersionRow = typeof ratePlanVersions.$inferSelect;

export async function findPlanVersion(db: DbOrTx, planId: string, version: number) {
  const [row] = await db.select().from(ratePlanVersions).where(and(eq(ratePlanVersions.planId, planId), eq(ratePlanVersions.version, version)));
  return row;
}

export async function listPlanVersions(db: DbOrTx, planIds?: readonly string[]) {
  return db
    .select()
    .from(ratePlanVersions)
    .where(planIds ? inArray(ratePlanVersions.planId, [...planIds]) : undefined)
    .orderBy(asc(ratePlanVersions.planId), asc(ratePlanVersions.version));
}

/**
 * Stores a plan version. The same content again is a no-op; other content replaces the version only
 * while no record has been rated with it. Returns what is stored and whether it changed.
 */
export async function savePlanVersion(db: DbOrTx, plan: RatePlan, createdBy: string, options: { replace: boolean }) {
  return db.transaction(async (tx) => {
    const values = {
      planId: plan.id, version: plan.version, name: plan.name ?? '', parentPlanId: plan.parent?.id ?? null,
      effectiveFrom: plan.effectiveFrom ? new Date(plan.effectiveFrom) : null, definition: plan, createdBy,
    };
    const [inserted] = await tx.insert(ratePlanVersions).values(values).onConflictDoNothing().returning();
    if (inserted) return { outcome: 'created' as const, row: inserted };
    const [existing] = await tx
      .select()
      .from(ratePlanVersions)
      .where(and(eq(ratePlanVersions.planId, plan.id), eq(ratePlanVersions.version, plan.version)))
      .for('update');
    if (isDeepStrictEqual(existing!.definition, JSON.parse(JSON.stringify(plan)))) return { outcome: 'unchanged' as const, row: existing! };
    if (!options.replace) return { outcome: 'exists' as const, row: existing! };
    if (existing!.lockedAt) return { outcome: 'locked' as const, row: existing! };
    const [replaced] = await tx
      .update(ratePlanVersions)
      .set({ ...values, createdAt: existing!.createdAt })
      .where(and(eq(ratePlanVersions.planId, plan.id), eq(ratePlanVersions.version, plan.version), isNull(ratePlanVersions.lockedAt)))
      .returning();
    return { outcome: 'replaced' as const, row: replaced! };
  });
}

/** Called when stored records are rated with a version: from then on it never changes. */
export async function lockPlanVersions(db: DbOrTx, refs: ReadonlyArray<{ planId: string; version: number }>, at: Date) {
  for (const ref of refs) {
    await db
      .update(ratePlanVersions)
      .set({ lockedAt: at })
      .where(and(eq(ratePlanVersions.planId, ref.planId), eq(ratePlanVersions.version, ref.version), isNull(ratePlanVersions.lockedAt)));
  }
}

export async function insertAssignment(db: DbOrTx, a: PlanAssignment) {
  const [row] = await db
    .insert(ratePlanAssignments)
    .values({
      planId: a.planId, scope: a.scope, targetId: a.targetId ?? '',
      validFrom: new Date(a.validFrom ?? '1970-01-01T00:00:00Z'), validTo: a.validTo ? new Date(a.validTo) : null,
    })
    .onConflictDoNothing()
    .returning();
  return row;
}

/** Assignments in force at `at` (all scopes); the domain picks the most specific. */
export async function listAssignments(db: DbOrTx, at?: Date) {
  return db
    .select()
    .from(ratePlanAssignments)
    .where(at ? and(lte(ratePlanAssignments.validFrom, at), or(isNull(ratePlanAssignments.validTo), gt(ratePlanAssignments.validTo, at))) : undefined)
    .orderBy(asc(ratePlanAssignments.id));
}

export const toPlanAssignment = (row: typeof ratePlanAssignments.$inferSelect): PlanAssignment => ({
  planId: row.planId, scope: row.scope, ...(row.targetId ? { targetId: row.targetId } : {}),
  validFrom: row.validFrom.toISOString(), ...(row.validTo ? { validTo: row.validTo.toISOString() } : {}),
});

export async function upsertOverride(db: DbOrTx, subscriptionId: string, o: RateOverride) {
  const values = { subscriptionId, planId: o.planId, rateId: o.rateId, price: o.price ?? null, connectFee: o.connectFee ?? null, minimumCharge: o.minimumCharge ?? null };
  await db
    .insert(rateOverrides)
    .values(values)
    .onConflictDoUpdate({ target: [rateOverrides.subscriptionId, rateOverrides.planId, rateOverrides.rateId], set: { ...values, createdAt: sql`now()` } });
}

export async function listOverrides(db: DbOrTx, subscriptionId: string): Promise<RateOverride[]> {
  const rows = await db.select().from(rateOverrides).where(eq(rateOverrides.subscriptionId, subscriptionId)).orderBy(asc(rateOverrides.planId), asc(rateOverrides.rateId));
  return rows.map((r) => ({
    planId: r.planId, rateId: r.rateId,
    ...(r.price !== null ? { price: r.price } : {}), ...(r.connectFee !== null ? { connectFee: r.connectFee } : {}),
    ...(r.minimumCharge !== null ? { minimumCharge: r.minimumCharge } : {}),
  }));
}

export type PlanSource = { plan: RatePlan } | { planId: string; version?: number } | { target: AssignmentTarget };

/**
 * The plan chain (child first) that rates with `source`: an inline plan or a stored version (the one
 * in force at `asOf` when no version is named), followed by its parents in force at `asOf`.
 * Throws NOT_FOUND for an unknown stored plan and VALIDATION_FAILED for a broken chain.
 */
export async function loadPlanChain(db: DbOrTx, source: PlanSource, asOf: string): Promise<RatePlan[]> {
  // Every stored version, read only when a lookup needs it (an inline plan without parent needs none).
  const allVersions = async () => (await listPlanVersions(db)).map((row) => row.definition);
  if ('target' in source) {
    const assignments = (await listAssignments(db)).map(toPlanAssignment);
    const chain = resolveRatingPlans(assignments, await allVersions(), source.target, asOf);
    if (!chain.ok) throw new DomainError(chain.reason, chain.message, { target: source.target });
    return chain.plans;
  }
  let head: RatePlan | null;
  if ('plan' in source) head = source.plan;
  else if (source.version !== undefined) head = (await findPlanVersion(db, source.planId, source.version))?.definition ?? null;
  else head = resolvePlanVersion(await allVersions(), source.planId, asOf);
  if (!head) {
    const id = 'plan' in source ? source.plan.id : `${source.planId}${source.version ? ` v${source.version}` : ''}`;
    throw new NotFoundError('Rate plan', id);
  }
  if (!head.parent) return [head];
  const parents = resolvePlanChain(await allVersions(), head.parent.id, asOf);
  if (!parents.ok) {
    throw new ValidationError(`plan ${head.id}: ${parents.message}`, [{ path: '$.parent.id', message: parents.message }]);
  }
  if (parents.plans.some((p) => p.id === head.id)) {
    throw new ValidationError(`plan ${head.id} is its own ancestor`, [{ path: '$.parent.id', message: 'cycle' }]);
  }
  return [head, ...parents.plans];
}
