import { allowedBillingActions, applyBillingAction, recordPostings, type BillingAction, type BillingActionKind, type RecordBilling } from '../../domain/billing';
import { NotFoundError } from '../../domain/errors';
import { entryKeys } from '../../domain/ledger';
import { copyLines, copyText } from '../copy';
import { insertPostings, loadScopePostings, type SqlOrTx } from './ledger';

// Billable records and their actions (SPEC §2.3, §5 items 24-27). An action locks the record, takes
// its charge entry's postings, lets domain applyBillingAction decide (refusals change nothing), and
// writes the new billing facts, the postings (a reversal of exactly opposite value, and the new
// charge where due) and an audit event in one transaction. The record's charge is first brought in
// line with the record as it was, so a record never posted by a run yet is treated like a posted one.

export interface NewBillableRecord {
  id: string; source: 'feed' | 'usageFile'; sourceRef: string; accountId: string; subscriptionId: string; serviceId: string;
  currency: string; category: string; item: string; unit: string; quantity: string; amount: string; usageAt: string; billingEffectiveAt: string;
  directive?: RecordBilling['directive']; lifeCycle?: RecordBilling['lifeCycle'];
}

const COLUMNS = 'id, source, source_ref, account_id, subscription_id, service_id, currency, category, item, unit, quantity, amount, usage_at, billing_effective_at, directive, life_cycle';

/** Stores records through COPY into a staging table; a record whose id exists is left as it is. Returns the ids inserted. */
export async function insertBillableRecords(sql: SqlOrTx, records: readonly NewBillableRecord[]): Promise<string[]> {
  if (records.length === 0) return [];
  if ('begin' in sql) return sql.begin((tx) => insertBillableRecords(tx, records));
  await sql`create temp table if not exists billable_records_in (like billable_records including defaults) on commit delete rows`;
  await copyLines(sql, 'billable_records_in', COLUMNS, records.map((r) => [
    r.id, r.source, r.sourceRef, r.accountId, r.subscriptionId, r.serviceId, r.currency, r.category, r.item, r.unit, r.quantity, r.amount,
    r.usageAt, r.billingEffectiveAt, r.directive ?? 'TO_BE_BILLED', r.lifeCycle ?? 'POSTED',
  ].map(copyText).join('\t') + '\n'));
  const rows = await sql.unsafe<Array<{ id: string }>>(`insert into billable_records (${COLUMNS}) select ${COLUMNS} from billable_records_in on conflict (id) do nothing returning id`);
  await sql`delete from billable_records_in`;
  return rows.map((r) => r.id);
}

interface RecordRow extends RecordBilling { ownerPartyId: string }

const SELECT_RECORD = `select b.id as "recordId", b.account_id as "accountId", b.subscription_id as "subscriptionId", b.currency,
  b.life_cycle as "lifeCycle", b.directive, b.rating_state as "ratingState",
  case when b.rating_state = 'COMPLETED' then b.amount::text end as amount,
  to_char(b.billing_effective_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "billingEffectiveAt",
  b.service_id as service, b.category, b.item, b.quantity::text as quantity, b.unit, a.owner_party_id as "ownerPartyId"
  from billable_records b join customer_accounts a on a.id = b.account_id where b.id = $1`;

export async function findBillableRecord(sql: SqlOrTx, id: string): Promise<(RecordRow & { allowedActions: BillingActionKind[] }) | undefined> {
  const [row] = await sql.unsafe<RecordRow[]>(SELECT_RECORD, [id]);
  return row && { ...row, allowedActions: allowedBillingActions(row) };
}

export interface ActionResult { record: RecordBilling; postingKeys: string[] }

/** Applies a person's (or the rating engine's `rate`) action to a record; DomainErrors refuse it with nothing changed. */
export async function applyRecordAction(sql: SqlOrTx, input: { recordId: string; action: BillingAction; actor: string }): Promise<ActionResult> {
  if ('begin' in sql) return sql.begin((tx) => applyRecordAction(tx, input));
  const [row] = await sql.unsafe<RecordRow[]>(`${SELECT_RECORD} for update of b`, [input.recordId]);
  if (!row) throw new NotFoundError('billable record', input.recordId);
  const { ownerPartyId: _owner, ...before } = row;
  const posted = await loadScopePostings(sql, { entryPrefix: entryKeys.recordCharge(before.recordId) });
  const catchUp = recordPostings(before, posted);
  const { record: after, postings } = applyBillingAction(before, input.action, [...posted, ...catchUp]);
  const keys = await insertPostings(sql, [...catchUp, ...postings]);
  await sql`
    update billable_records set directive = ${after.directive}, life_cycle = ${after.lifeCycle}, rating_state = ${after.ratingState},
      amount = coalesce(${after.amount}::numeric, amount), quantity = ${after.quantity}, service_id = ${after.service}, category = ${after.category},
      item = ${after.item}, billing_effective_at = ${after.billingEffectiveAt}
    where id = ${after.recordId}`;
  await sql`
    insert into billable_record_events (record_id, seq, action, actor, before, after, posting_keys)
    select ${after.recordId}, coalesce(max(seq), 0) + 1, ${input.action.kind}, ${input.actor}, ${JSON.stringify(before)}::jsonb, ${JSON.stringify(after)}::jsonb, ${keys}
    from billable_record_events where record_id = ${after.recordId}`;
  return { record: after, postingKeys: keys };
}

export async function recordEvents(sql: SqlOrTx, recordId: string) {
  return sql<Array<{ seq: number; action: string; actor: string; postingKeys: string[]; at: string }>>`
    select seq, action, actor, posting_keys as "postingKeys", to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
    from billable_record_events where record_id = ${recordId} order by seq`;
}
