import type postgres from 'postgres';
import { DomainError } from '../../domain/errors';
import { money } from '../../domain/money';
import type { MediationContext, MediationResult, OwnershipRule, PhaseTrace, ServiceSnapshot, SubscriptionSnapshot } from '../../domain/mediation';
import type { PlanAssignment, RatePlan, RateOverride } from '../../domain/rating';
import { COPY_NULL as NULL, copyLines, copyText } from '../copy';
import type { RatingSummary } from '../schema/mediation';
import { applyLocked } from './wallets';

// Bulk side of mediation: the context snapshot the gates run against (one operator's services,
// identifiers, subscriptions with periods, plans, ownership rules), and the chunk writes — raw
// rows, mediated rows, accepted duplicate keys, billable records — through COPY in one transaction.

type Sql = postgres.Sql | postgres.TransactionSql;
// Drizzle's postgres.js client hands timestamps back as Postgres text ('2024-03-01 00:00:00+00').
type Stamp = Date | string;
const iso = (value: Stamp): string => new Date(value).toISOString();

/** Everything the gates need for one operator's records, read at `processedAt` (the workflow's now). */
export async function loadMediationContext(sql: Sql, ownerPartyId: string, processedAt: string): Promise<MediationContext> {
  const [services, identifiers, subscriptions, periods, overrides, assignments, plans, rules] = await Promise.all([
    sql<Array<{ id: string; status: 'ACTIVE' | 'INACTIVE'; activeFrom: Stamp; activeTo: Stamp | null; categories: string[] | null; subscriptionId: string }>>`
      select s.id, s.status, s.active_from as "activeFrom", s.active_to as "activeTo", s.categories, s.subscription_id as "subscriptionId"
      from services s join subscriptions sub on sub.id = s.subscription_id join customer_accounts a on a.id = sub.account_id
      where a.owner_party_id = ${ownerPartyId} order by s.id`,
    sql<Array<{ serviceId: string; type: string; value: string; validFrom: Stamp; validTo: Stamp | null }>>`
      select si.service_id as "serviceId", si.type, si.value, si.valid_from as "validFrom", si.valid_to as "validTo"
      from service_identifiers si join services s on s.id = si.service_id join subscriptions sub on sub.id = s.subscription_id
      join customer_accounts a on a.id = sub.account_id where a.owner_party_id = ${ownerPartyId} order by si.service_id, si.valid_from`,
    sql<Array<{ id: string; accountId: string; timeZone: string; lateGraceSeconds: number; groups: string[] }>>`
      select sub.id, sub.account_id as "accountId", a.time_zone as "timeZone", a.late_grace_seconds as "lateGraceSeconds", a.customer_group_ids as groups
      from subscriptions sub join customer_accounts a on a.id = sub.account_id where a.owner_party_id = ${ownerPartyId} order by sub.id`,
    sql<Array<{ subscriptionId: string; startAt: Stamp; endAt: Stamp; state: 'OPEN' | 'CLOSED' }>>`
      select bp.subscription_id as "subscriptionId", bp.start_at as "startAt", bp.end_at as "endAt", bp.state
      from billing_periods bp join subscriptions sub on sub.id = bp.subscription_id join customer_accounts a on a.id = sub.account_id
      where a.owner_party_id = ${ownerPartyId} order by bp.subscription_id, bp.start_at`,
    sql<Array<{ subscriptionId: string; planId: string; rateId: string; price: string | null; connectFee: string | null; minimumCharge: string | null }>>`
      select o.subscription_id as "subscriptionId", o.plan_id as "planId", o.rate_id as "rateId", o.price::text, o.connect_fee::text as "connectFee", o.minimum_charge::text as "minimumCharge"
      from rate_overrides o join subscriptions sub on sub.id = o.subscription_id join customer_accounts a on a.id = sub.account_id
      where a.owner_party_id = ${ownerPartyId} order by o.plan_id, o.rate_id`,
    sql<Array<{ planId: string; scope: PlanAssignment['scope']; targetId: string; validFrom: Stamp; validTo: Stamp | null }>>`
      select plan_id as "planId", scope, target_id as "targetId", valid_from as "validFrom", valid_to as "validTo" from rate_plan_assignments order by id`,
    sql<Array<{ definition: RatePlan }>>`select definition from rate_plan_versions order by plan_id, version`,
    sql<Array<{ rule: OwnershipRule }>>`select rule from ownership_rules where owner_party_id = ${ownerPartyId} order by id`,
  ]);
  const byService = new Map<string, ServiceSnapshot['identifiers']>();
  for (const i of identifiers) {
    const list = byService.get(i.serviceId) ?? [];
    list.push({ type: i.type, value: i.value, validFrom: iso(i.validFrom), ...(i.validTo ? { validTo: iso(i.validTo) } : {}) });
    byService.set(i.serviceId, list);
  }
  const periodsOf = new Map<string, SubscriptionSnapshot['periods']>();
  for (const p of periods) {
    const list = periodsOf.get(p.subscriptionId) ?? [];
    list.push({ startAt: iso(p.startAt), endAt: iso(p.endAt), state: p.state });
    periodsOf.set(p.subscriptionId, list);
  }
  const overridesOf = new Map<string, RateOverride[]>();
  for (const o of overrides) {
    const list = overridesOf.get(o.subscriptionId) ?? [];
    list.push({
      planId: o.planId, rateId: o.rateId, ...(o.price !== null ? { price: o.price } : {}),
      ...(o.connectFee !== null ? { connectFee: o.connectFee } : {}), ...(o.minimumCharge !== null ? { minimumCharge: o.minimumCharge } : {}),
    });
    overridesOf.set(o.subscriptionId, list);
  }
  return {
    processedAt,
    services: services.map((s) => ({
      id: s.id, status: s.status, activeFrom: iso(s.activeFrom), ...(s.activeTo ? { activeTo: iso(s.activeTo) } : {}),
      ...(s.categories ? { categories: s.categories } : {}), subscriptionId: s.subscriptionId, identifiers: byService.get(s.id) ?? [],
    })),
    subscriptions: subscriptions.map((s) => ({
      id: s.id, accountId: s.accountId, customerGroupIds: s.groups, timeZone: s.timeZone, lateGraceSeconds: s.lateGraceSeconds,
      periods: periodsOf.get(s.id) ?? [], overrides: overridesOf.get(s.id) ?? [],
    })),
    rating: {
      asOf: processedAt,
      planVersions: plans.map((p) => p.definition),
      assignments: assignments.map((a) => ({
        planId: a.planId, scope: a.scope, ...(a.targetId ? { targetId: a.targetId } : {}), validFrom: iso(a.validFrom), ...(a.validTo ? { validTo: iso(a.validTo) } : {}),
      })),
    },
    ownershipRules: rules.map((r) => r.rule),
  };
}

/** One mediated row to write: the gate result and what ties it to its raw row. */
export interface MediatedRow {
  loadId: string;
  rowNo: number;
  feedId: string;
  feedVersion: number;
  serviceIdentifier: string | null;
  usageAt: string | null;
  result: MediationResult;
}

export const MEDIATED_COLUMNS = [
  'load_id', 'row_no', 'feed_id', 'feed_version', 'record_id', 'status', 'reason', 'message', 'flags', 'category', 'service_identifier', 'usage_at',
  'service_id', 'subscription_id', 'account_id', 'period_start_at', 'period_end_at', 'amount', 'currency', 'rating', 'candidate', 'trace',
  'owner_kind', 'owner_id', 'duplicate_key', 'updated_at',
];
const BILLABLE_COLUMNS = 'id, source, source_ref, account_id, subscription_id, service_id, currency, category, item, unit, quantity, amount, usage_at, billing_effective_at, period_start_at, plan_id, plan_version, life_cycle';

// Completed records share frozen trace entries (domain/mediation/gates.ts): each gets a number, and
// the JSON of a trace made only of shared entries is made once per combination.
const entryIds = new WeakMap<PhaseTrace, number>();
const sharedTraces = new Map<string, string>();
let nextEntryId = 0;
function traceJson(trace: readonly PhaseTrace[]): string {
  let key = '';
  for (const entry of trace) {
    if (!Object.isFrozen(entry)) return JSON.stringify(trace);
    let id = entryIds.get(entry);
    if (id === undefined) entryIds.set(entry, (id = nextEntryId++));
    key += `${id},`;
  }
  let text = sharedTraces.get(key);
  if (text === undefined) {
    text = JSON.stringify(trace);
    if (sharedTraces.size < 10_000) sharedTraces.set(key, text);
  }
  return text;
}

export function ratingSummary(result: MediationResult): RatingSummary | null {
  const rating = result.rating;
  if (rating === null) return null;
  if (rating.status === 'deferred') {
    return { status: 'deferred', usageType: rating.usageType, currency: rating.currency, amount: null, quantity: null, unit: null, plans: [{ id: rating.plan.id, version: rating.plan.version }], flags: [] };
  }
  return {
    status: 'rated', usageType: rating.usageType, currency: rating.currency, amount: rating.amount, quantity: rating.quantity, unit: rating.unit,
    plans: rating.trace.plans.map((p) => ({ id: p.id, version: p.version })), flags: rating.flags,
  };
}

// The usual summary (rated, one plan, no flags) as a template; anything else through JSON.stringify.
function summaryJson(s: RatingSummary): string {
  const plan = s.plans[0];
  if (s.status !== 'rated' || s.plans.length !== 1 || s.flags.length > 0 || !/^[\w.-]*$/.test(`${s.usageType}${s.currency}${s.unit}${plan!.id}`)) return JSON.stringify(s);
  return `{"status":"rated","usageType":"${s.usageType}","currency":"${s.currency}","amount":"${s.amount}","quantity":"${s.quantity}","unit":"${s.unit}","plans":[{"id":"${plan!.id}","version":${plan!.version}}],"flags":[]}`;
}

export function mediatedLine(row: MediatedRow, updatedAt: string): string {
  const r = row.result;
  const rated = r.rating?.status === 'rated' ? r.rating : null;
  const summary = ratingSummary(r);
  const owner = r.ownership?.status === 'ASSIGNED' ? r.ownership.owner : null;
  return [
    copyText(row.loadId), String(row.rowNo), copyText(row.feedId), String(row.feedVersion), copyText(r.recordId), r.status, copyText(r.reason), copyText(r.message),
    `{${r.flags.join(',')}}`, r.category === '' ? NULL : copyText(r.category), copyText(row.serviceIdentifier), row.usageAt ?? NULL,
    copyText(r.serviceId), copyText(r.subscriptionId), copyText(r.accountId), r.period?.startAt ?? NULL, r.period?.endAt ?? NULL,
    rated?.amount ?? NULL, copyText(r.rating?.currency), summary === null ? NULL : copyText(summaryJson(summary)),
    r.candidate === null ? NULL : copyText(JSON.stringify(r.candidate)), copyText(traceJson(r.trace)),
    copyText(owner?.kind), copyText(owner?.id), r.duplicateKey === '' ? NULL : copyText(r.duplicateKey), updatedAt,
  ].join('\t') + '\n';
}

export const billableId = (feedId: string, duplicateKey: string) => `feed:${feedId}:${duplicateKey}`;

function billableLine(row: MediatedRow): string | null {
  const r = row.result;
  if (r.status !== 'COMPLETED' || r.rating?.status !== 'rated') return null;
  const rating = r.rating;
  const plan = rating.trace.rate?.rate ?? { planId: rating.trace.plans[0]?.id ?? null, planVersion: rating.trace.plans[0]?.version ?? null };
  return [
    copyText(billableId(row.feedId, r.duplicateKey)), 'feed', copyText(row.loadId), copyText(r.accountId), copyText(r.subscriptionId), copyText(r.serviceId),
    copyText(rating.currency), copyText(r.category), copyText(rating.usageType), copyText(rating.unit), rating.quantity, rating.amount,
    row.usageAt!, row.usageAt!, r.period?.startAt ?? NULL, copyText(plan.planId), plan.planVersion === null ? NULL : String(plan.planVersion),
    'POSTED', // delivered usage (SPEC §3: SCHEDULED is for services ordered for a future date)
  ].join('\t') + '\n';
}

/** Plan versions a set of results was rated with (each version of each chain once). */
export function planRefsOf(results: Iterable<MediationResult>): Array<{ planId: string; version: number }> {
  const refs = new Map<string, { planId: string; version: number }>();
  for (const r of results) {
    const summary = r.status === 'COMPLETED' ? ratingSummary(r) : null;
    for (const p of summary?.plans ?? []) refs.set(`${p.id}\u0000${p.version}`, { planId: p.id, version: p.version });
  }
  return [...refs.values()];
}

/**
 * Claims the duplicate keys of the COMPLETED rows for the feed (sorted, so concurrent loads take
 * them in one order); returns `load:row` of the rows whose key was taken by another record already.
 */
export async function claimDuplicateKeys(tx: postgres.TransactionSql, feedId: string, rows: readonly MediatedRow[]): Promise<Set<string>> {
  const completed = rows.filter((r) => r.result.status === 'COMPLETED');
  if (completed.length === 0) return new Set();
  await tx`create temp table if not exists tmp_claim_keys (key text not null, load_id text not null, row_no int not null) on commit delete rows`;
  await copyLines(tx, 'tmp_claim_keys', 'key, load_id, row_no', completed.map((r) => `${copyText(r.result.duplicateKey)}\t${copyText(r.loadId)}\t${r.rowNo}\n`));
  const inserted = await tx<Array<{ loadId: string; rowNo: number }>>`
    insert into accepted_duplicate_keys (feed_id, key, load_id, row_no)
    select ${feedId}, key, load_id, row_no from tmp_claim_keys order by key
    on conflict do nothing returning load_id as "loadId", row_no as "rowNo"`;
  const claimed = new Set(inserted.map((r) => `${r.loadId}:${r.rowNo}`));
  return new Set(completed.map((r) => `${r.loadId}:${r.rowNo}`).filter((ref) => !claimed.has(ref)));
}

/** Billable records of the COMPLETED, rated rows (id: the feed's business identity of the record). */
export async function copyBillable(tx: postgres.TransactionSql, rows: readonly MediatedRow[]): Promise<number> {
  const lines = rows.flatMap((r) => billableLine(r) ?? []);
  await copyLines(tx, 'billable_records', BILLABLE_COLUMNS, lines);
  return lines.length;
}

export async function copyMediated(tx: postgres.TransactionSql, table: string, rows: readonly MediatedRow[], updatedAt: string): Promise<void> {
  await copyLines(tx, table, MEDIATED_COLUMNS.join(', '), rows.map((r) => mediatedLine(r, updatedAt)));
}

export async function copyRaw(tx: postgres.TransactionSql, loadId: string, rows: ReadonlyArray<{ rowNo: number; lineNumber: number; raw: string | null }>): Promise<void> {
  await copyLines(tx, 'feed_raw_records', 'load_id, row_no, line_number, raw', rows.map((r) => `${copyText(loadId)}\t${r.rowNo}\t${r.lineNumber}\t${copyText(r.raw)}\n`));
}

/**
 * Debits the prepaid wallets of a chunk's COMPLETED rated rows, one wallet transaction per record
 * (its id is the billable record id, so a retried chunk debits nothing twice), in usage-time order,
 * inside the chunk's transaction. Returns `load:row` → message of the rows the balance cannot
 * cover (nothing written for them). Postpaid chunks cost one lookup of their accounts.
 */
export async function debitPrepaidWallets(tx: postgres.TransactionSql, rows: readonly MediatedRow[], effectiveAt: string): Promise<Map<string, string>> {
  const refused = new Map<string, string>();
  const rated = rows.filter((r) => r.result.status === 'COMPLETED' && r.result.rating?.status === 'rated' && r.result.accountId !== null);
  if (rated.length === 0) return refused;
  const prepaid = await tx<Array<{ id: string; walletId: string | null }>>`
    select id, wallet_id as "walletId" from customer_accounts where billing_mode = 'prepaid' and id = any(${[...new Set(rated.map((r) => r.result.accountId!))]})`;
  if (prepaid.length === 0) return refused;
  const walletOf = new Map(prepaid.map((p) => [p.id, p.walletId]));
  // Every wallet locked up front in id order: two chunks debiting the same wallets cannot deadlock.
  await tx`select 1 from wallets where id = any(${prepaid.flatMap((p) => p.walletId ?? [])}) order by id for update`;
  const due = rated.filter((r) => walletOf.has(r.result.accountId!))
    .sort((a, b) => (a.usageAt! < b.usageAt! ? -1 : a.usageAt! > b.usageAt! ? 1 : a.rowNo - b.rowNo));
  for (const row of due) {
    const r = row.result;
    const amount = r.rating?.status === 'rated' ? r.rating.amount : '0';
    if (!money(amount).greaterThan(0)) continue; // nothing to debit
    const walletId = walletOf.get(r.accountId!);
    if (!walletId) {
      refused.set(`${row.loadId}:${row.rowNo}`, `prepaid account ${r.accountId} has no wallet`);
      continue;
    }
    const id = billableId(row.feedId, r.duplicateKey);
    try {
      await applyLocked(tx, walletId, { kind: 'debit', transactionId: id, amount, recordId: id }, effectiveAt);
    } catch (error) {
      // A refusal writes nothing (decided before any write), so the chunk's transaction goes on.
      if (!(error instanceof DomainError) || error.code !== 'INSUFFICIENT_FUNDS') throw error;
      refused.set(`${row.loadId}:${row.rowNo}`, error.message);
    }
  }
  return refused;
}

/** Releases the duplicate keys of rows that claimed them but did not complete after all. */
export async function releaseDuplicateKeys(tx: postgres.TransactionSql, feedId: string, rows: readonly MediatedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`delete from accepted_duplicate_keys where feed_id = ${feedId} and key = any(${rows.map((r) => r.result.duplicateKey)})`;
}

/** Subscriptions the COMPLETED records of a load were billed to. */
export async function billedSubscriptionsOfLoad(sql: Sql, loadId: string): Promise<string[]> {
  const rows = await sql<Array<{ id: string }>>`select distinct subscription_id as id from mediated_records where load_id = ${loadId} and status = 'COMPLETED' and subscription_id is not null`;
  return rows.map((r) => r.id);
}

/** An account whose subscriptions with a billing term got new billable records. */
export interface TermedAccount { accountId: string; subscriptionIds: string[] }

/** Of these subscriptions, those with a billing term, by account (at most `limit` accounts). */
export async function termedAccounts(sql: Sql, subscriptionIds: readonly string[], limit: number): Promise<TermedAccount[]> {
  if (subscriptionIds.length === 0) return [];
  return sql<TermedAccount[]>`
    select account_id as "accountId", array_agg(id order by id) as "subscriptionIds" from subscriptions
    where id = any(${subscriptionIds as string[]}) and billing_term is not null group by account_id order by account_id limit ${limit}`;
}
