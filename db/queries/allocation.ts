import { and, asc, eq } from 'drizzle-orm';
import type postgres from 'postgres';
import { UNASSIGNED_OWNER_ID, type AllocationPart, type AllocationRule, type Owner, type OwnerUsage } from '../../domain/allocation';
import type { DbOrTx } from '../client';
import { allocationCharges, allocationOwners, allocationRules } from '../schema';

// Cost allocation objects of one party (the organisation keeping the books). Inserts are keyed on the
// caller's business id with `on conflict do nothing`; the caller compares what is stored. Usage is
// what mediation assigned to owners: the party's COMPLETED mediated records of its own feeds.

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

type Sql = postgres.Sql | postgres.TransactionSql;

/** The party's COMPLETED mediated records (of its own feeds) with usage in [startAt, endAt). */
const usageOf = (sql: Sql, partyId: string, startAt: string, endAt: string) => sql`
  mediated_records m join feeds f on f.id = m.feed_id
  where f.owner_party_id = ${partyId} and m.status = 'COMPLETED' and m.usage_at >= ${startAt} and m.usage_at < ${endAt}`;

/** Usage of the period per record owner (null: UNASSIGNED) and currency, summed exactly in SQL. */
export async function usageByOwner(sql: Sql, partyId: string, startAt: string, endAt: string): Promise<OwnerUsage[]> {
  return sql<OwnerUsage[]>`
    select m.owner_id as "ownerId", m.owner_kind as "recordOwnerKind", m.currency, coalesce(sum(m.amount), 0)::text as amount, count(*)::int as "recordCount"
    from ${usageOf(sql, partyId, startAt, endAt)}
    group by m.owner_id, m.owner_kind, m.currency order by 1, 2, 3`;
}

/** Where a drill-down page starts: after this (source, key, part or row) in the listing order. */
export interface DrillDownPosition { source: 0 | 1; key: string; n: number }

export interface DrillDownItem {
  source: 'charge' | 'usage';
  /** The charge id, or the mediated record "loadId:rowNo". */
  ref: string;
  ownerId: string;
  amount: string | null;
  currency: string | null;
  usageAt: string | null;
  serviceIdentifier: string | null;
  category: string | null;
  description: string | null;
  ruleId: string | null;
  position: DrillDownPosition;
}

/**
 * One page of what lies behind owners' amounts in a period: the charge parts allocated to them (by
 * charge id, part), then their usage records (by load, row); `limit + 1` rows, so the caller sees
 * whether more follow. UNASSIGNED names the records without an owner.
 */
export async function drillDownPage(
  sql: Sql, q: { partyId: string; period: string; startAt: string; endAt: string; ownerIds: string[]; after?: DrillDownPosition; limit: number },
): Promise<DrillDownItem[]> {
  const after = q.after ?? { source: -1, key: '', n: 0 };
  const rows = await sql<Array<Omit<DrillDownItem, 'position'> & { src: 0 | 1; key: string; n: number }>>`
    select * from (
      select 0 as src, c.id as key, p.n::int as n, 'charge' as source, c.id as ref, p.part->>'ownerId' as "ownerId", p.part->>'amount' as amount,
        null::text as currency, null::text as "usageAt", null::text as "serviceIdentifier", null::text as category, c.description, c.rule_id as "ruleId"
      from allocation_charges c cross join lateral jsonb_array_elements(c.parts) with ordinality as p(part, n)
      where c.party_id = ${q.partyId} and c.period = ${q.period} and p.part->>'ownerId' = any(${q.ownerIds})
      union all
      select 1, m.load_id, m.row_no, 'usage', m.load_id || ':' || m.row_no, coalesce(m.owner_id, ${UNASSIGNED_OWNER_ID}), m.amount::text,
        m.currency, to_char(m.usage_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), m.service_identifier, m.category, null, null
      from ${usageOf(sql, q.partyId, q.startAt, q.endAt)} and coalesce(m.owner_id, ${UNASSIGNED_OWNER_ID}) = any(${q.ownerIds})
    ) x
    where (x.src, x.key, x.n) > (${after.source}, ${after.key}, ${after.n})
    order by x.src, x.key, x.n limit ${q.limit + 1}`;
  return rows.map(({ src, key, n, ...item }) => ({ ...item, position: { source: src, key, n } }));
}

/** Whether any COMPLETED record of the party's feeds, of any period, names `ownerId` as its owner. */
export async function hasUsageOwner(sql: Sql, partyId: string, ownerId: string): Promise<boolean> {
  const [row] = await sql`select 1 from mediated_records m join feeds f on f.id = m.feed_id
    where f.owner_party_id = ${partyId} and m.status = 'COMPLETED' and m.owner_id = ${ownerId} limit 1`;
  return row !== undefined;
}
