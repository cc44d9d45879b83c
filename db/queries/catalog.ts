import { randomInt } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { Caller } from '../../domain/access';
import type { DbOrTx } from '../client';
import { assets, contracts, items, products, usageRules } from '../schema';

export type Contract = typeof contracts.$inferSelect;
export type Product = typeof products.$inferSelect;
export type Item = typeof items.$inferSelect;
export type Asset = typeof assets.$inferSelect;
export type UsageRuleRow = typeof usageRules.$inferSelect;

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');
/** Connect-style catalog ids: CTR-123-456-789, PRD-123-456-789, PRD-…-0001 items, AS-1234-5678-9012. */
export const newCatalogId = (prefix: 'CTR' | 'PRD' | 'ITM' | 'AS') =>
  prefix === 'AS' ? `AS-${digits(4)}-${digits(4)}-${digits(4)}` : `${prefix}-${digits(3)}-${digits(3)}-${digits(3)}`;

export async function insertContract(db: DbOrTx, c: typeof contracts.$inferInsert) {
  return (await db.insert(contracts).values(c).returning())[0]!;
}
export async function insertProduct(db: DbOrTx, p: typeof products.$inferInsert) {
  return (await db.insert(products).values(p).returning())[0]!;
}
/** Inserts an item; an MPN the product already has answers undefined. */
export async function insertItem(db: DbOrTx, i: typeof items.$inferInsert) {
  return (await db.insert(items).values(i).onConflictDoNothing().returning())[0];
}
export async function insertAsset(db: DbOrTx, a: typeof assets.$inferInsert) {
  return (await db.insert(assets).values(a).returning())[0]!;
}

export const findContract = async (db: DbOrTx, id: string) => (await db.select().from(contracts).where(eq(contracts.id, id)))[0];
export const findProduct = async (db: DbOrTx, id: string) => (await db.select().from(products).where(eq(products.id, id)))[0];
export const findAsset = async (db: DbOrTx, id: string) => (await db.select().from(assets).where(eq(assets.id, id)))[0];
export const listItems = (db: DbOrTx, productId: string) =>
  db.select().from(items).where(eq(items.productId, productId)).orderBy(asc(items.mpn));
/** The assets a file of this product and provider may report on. */
export const listAssets = (db: DbOrTx, productId: string, providerId: string) =>
  db.select().from(assets).where(and(eq(assets.productId, productId), eq(assets.providerId, providerId))).orderBy(asc(assets.id));

export const listContracts = (db: DbOrTx, caller: Caller) =>
  db.select().from(contracts).where(contractVisibleTo(caller)).orderBy(asc(contracts.createdAt));
export const listProducts = (db: DbOrTx, caller: Caller) =>
  caller.role === 'vendor'
    ? db.select().from(products).where(eq(products.vendorId, caller.partyId)).orderBy(asc(products.createdAt))
    : db.select().from(products).orderBy(asc(products.createdAt));

function contractVisibleTo(caller: Caller) {
  if (caller.role === 'vendor') return eq(contracts.vendorId, caller.partyId);
  if (caller.role === 'provider') return eq(contracts.providerId, caller.partyId);
  return undefined;
}

export function canSeeContract(caller: Caller, c: Contract): boolean {
  if (caller.role === 'vendor') return c.vendorId === caller.partyId;
  if (caller.role === 'provider') return c.providerId === caller.partyId;
  return true;
}

/** Vendors see their products; providers those of vendors they have a contract with; internal roles all. */
export async function canSeeProduct(db: DbOrTx, caller: Caller, p: Product): Promise<boolean> {
  if (caller.role === 'vendor') return p.vendorId === caller.partyId;
  if (caller.role !== 'provider') return true;
  const [c] = await db.select({ id: contracts.id }).from(contracts)
    .where(and(eq(contracts.vendorId, p.vendorId), eq(contracts.providerId, caller.partyId))).limit(1);
  return c !== undefined;
}

export const canSeeAsset = (caller: Caller, a: Asset) => caller.role !== 'vendor' && (caller.role !== 'provider' || a.providerId === caller.partyId);

export async function upsertUsageRule(db: DbOrTx, rule: typeof usageRules.$inferInsert) {
  const { productId: _p, providerId: _q, ...changes } = rule;
  return (await db.insert(usageRules).values(rule)
    .onConflictDoUpdate({ target: [usageRules.productId, usageRules.providerId], set: { ...changes, updatedAt: new Date() } })
    .returning())[0]!;
}

export const findUsageRule = async (db: DbOrTx, productId: string, providerId: string) =>
  (await db.select().from(usageRules).where(and(eq(usageRules.productId, productId), eq(usageRules.providerId, providerId))))[0];

