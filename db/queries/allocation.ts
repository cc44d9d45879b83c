import { and, asc, eq } from 'drizzle-orm';
import type { AllocationPart, AllocationRule, Owner } from '../../domain/allocation';
import type { DbOrTx } from '../client';
import { allocationCharges, allocationOwners, allocationRules } from '../schema';

// Cost allocation objects of one party (the organisation keeping the books). Inserts are keyed on the
// caller's business id with `on conflict do nothing`; the caller compares what is stored.

export type AllocationOwnerRow = typeof allocationOwners.$inferSelect;
export type AllocationRuleRow = typeof allocationRules.$inferSelect;
export type AllocationChargeRow = typeof allocationCharges.$inferSelect;

export async function listOwners(db: DbOrTx, partyId: string): Promise<AllocationOwnerRow[]> {
  return db.select().from(allocationOwners).where(eq(allocationOwners.partyId, partyId)).orderBy(asc(allocationOwners.id));
}

export const toOwner = (row: AllocationOwnerRow): Owner => ({ id: row.id, kind: row.kind, parentId: row.parentId });

/** Inserts an owner once; returns the stored row and whether this call created it. */
export async function insertOwner(db: DbOrTx, row: Omit<AllocationOwnerRow, 'createdAt'>) {
  const [created] = await db.insert(allocationOwners).values(row).onConflictDoNothing().returning();
  if (created) return { row: created, created: true };
  const [stored] = await db.select().from(allocationOwners).where(and(eq(allocationOwners.partyId, row.partyId), eq(allocationOwners.id, row.id)));
  return { row: stored!, created: false };
}

export async function findRule(db: DbOrTx, partyId: string, id: string): Promise<AllocationRuleRow | undefined> {
  const [row] = await db.select().from(allocationRules).where(and(eq(allocationRules.partyId, partyId), eq(allocationRules.id, id)));
  return row;
}

export async function insertRule(db: DbOrTx, row: { partyId: string; id: string; name: string; rule: AllocationRule }) {
  const [created] = await db.insert(allocationRules).values(row).onConflictDoNothing().returning();
  return created ? { row: created, created: true } : { row: (await findRule(db, row.partyId, row.id))!, created: false };
}

export async function insertCharge(db: DbOrTx, row: { partyId: string; id: string; period: string; amount: string; description: string; ruleId: string; parts: AllocationPart[] }) {
  const [created] = await db.insert(allocationCharges).values(row).onConflictDoNothing().returning();
  if (created) return { row: created, created: true };
  const [stored] = await db.select().from(allocationCharges).where(and(eq(allocationCharges.partyId, row.partyId), eq(allocationCharges.id, row.id)));
  return { row: stored!, created: false };
}

export async function listCharges(db: DbOrTx, partyId: string, period: string): Promise<AllocationChargeRow[]> {
  return db.select().from(allocationCharges)
    .where(and(eq(allocationCharges.partyId, partyId), eq(allocationCharges.period, period))).orderBy(asc(allocationCharges.id));
}
