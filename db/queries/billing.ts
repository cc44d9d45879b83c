import { createHash } from 'node:crypto';
import { postingDelta, type Posting } from '../../domain/ledger';
import { invoiceEntry, invoiceTotals, lineAmount, DEFAULT_INVOICE_ROUNDING, type Invoice, type ParkReason } from '../../domain/billing';
import { insertPostings, type SqlOrTx } from './ledger';

// Billing in Postgres, set-based: a batch of accounts is charged, drafted and finalised with a few
// statements each, whatever its size (DESIGN "Performance"). The one rounding happens in JS through
// domain/billing (lineAmount, invoiceTotals), over invoice lines, never over records.
// Every write is idempotent: record charges and invoice postings by their ledger key, invoices by
// (account, period) for cycles, statement items by posting key (a posting is billed once, ever).

/** What one invoice bills: the account's unbilled postings in `currency` before `cutOffAt` (and of one subscription when set). */
export interface InvoiceTarget {
  invoiceId: string;
  accountId: string;
  ownerPartyId: string;
  runId: string | null;
  currency: string;
  trigger: 'cycle' | 'threshold';
  subscriptionId: string | null;
  periodStartAt: string;
  periodEndAt: string;
  cutOffAt: string;
}

const recordset = `jsonb_to_recordset($1::jsonb) as t(invoice_id text, account_id text, owner_party_id text, run_id text, currency text,
  trigger text, subscription_id text, period_start_at timestamptz, period_end_at timestamptz, cut_off_at timestamptz)`;
const targetsJson = (targets: readonly InvoiceTarget[]) => JSON.stringify(targets.map((t) => ({
  invoice_id: t.invoiceId, account_id: t.accountId, owner_party_id: t.ownerPartyId, run_id: t.runId, currency: t.currency, trigger: t.trigger,
  subscription_id: t.subscriptionId, period_start_at: t.periodStartAt, period_end_at: t.periodEndAt, cut_off_at: t.cutOffAt,
})));

/** The id of an account's cycle invoice for a period: derived, so a retried draft finds its invoice. */
export const cycleInvoiceId = (accountId: string, periodStartAt: string) =>
  `INV-${createHash('sha256').update(`${accountId}|${new Date(periodStartAt).toISOString()}`).digest('hex').slice(0, 16).toUpperCase()}`;

/**
 * Posts the charge of every rated, posted, billable record of the accounts that has never been
 * posted (key "record:{id}:charge", on conflict nothing): the same entry domain recordChargeEntry
 * builds. Records changed after their first posting are posted by their record action
 * (applyBillingAction) at once, so an original is the only thing ever missing here. Optionally only
 * one subscription's. Returns how many were posted.
 */
export async function postRecordCharges(sql: SqlOrTx, accountIds: readonly string[], subscriptionId: string | null = null): Promise<number> {
  if (accountIds.length === 0) return 0;
  const [row] = await sql<Array<{ n: number }>>`
    with src as materialized (
      select 'record:' || b.id || ':charge' as key, b.id, b.account_id, b.subscription_id, b.service_id, b.category, b.item,
        b.quantity, b.unit, b.currency, b.billing_effective_at,
        case when b.directive = 'TO_BE_BILLED' then b.amount else -b.amount end as signed
      from billable_records b
      where b.account_id = any(${accountIds as string[]}) and b.life_cycle = 'POSTED' and b.rating_state = 'COMPLETED'
        and b.directive <> 'NOT_TO_BE_BILLED' and b.amount <> 0
        and (${subscriptionId}::text is null or b.subscription_id = ${subscriptionId})
    ), ins as (
      insert into ledger_postings (key, entry, kind, revision, reverses, currency, effective_at, attributes, line_count)
      select key, key, 'original', 0, null, currency, billing_effective_at,
        jsonb_build_object('recordId', id, 'subscriptionId', subscription_id, 'service', service_id, 'category', category,
          'item', item, 'quantity', quantity::text, 'unit', unit), 2
      from src
      on conflict (key) do nothing
      returning key, attributes ->> 'recordId' as record_id
    ), lines as (
      -- Joined back by the record's primary key (never CTE to CTE, which the planner may nest-loop).
      insert into ledger_lines (posting_key, line_no, account_kind, owner, side, amount)
      select ins.key, v.n,
        (case when ((b.directive = 'TO_BE_BILLED') = (b.amount > 0)) = (v.n = 1) then 'unbilled' else 'revenue' end)::ledger_account_kind,
        b.account_id, (case when v.n = 1 then 'debit' else 'credit' end)::ledger_side, abs(b.amount)
      from ins join billable_records b on b.id = ins.record_id cross join (values (1), (2)) as v(n)
      returning 1
    )
    select (select count(*) from ins)::int as n`;
  return row!.n;
}

/** Creates the missing invoices of the targets that have something to bill (drafts, empty totals until refreshed). */
async function createDrafts(sql: SqlOrTx, targetsParam: string): Promise<void> {
  await sql.unsafe(`
    insert into invoices (id, account_id, owner_party_id, run_id, kind, status, trigger, currency, subscription_id, period_start_at, period_end_at, cut_off_at)
    select t.invoice_id, t.account_id, t.owner_party_id, t.run_id, 'invoice', 'draft', t.trigger::invoice_trigger, t.currency,
      t.subscription_id, t.period_start_at, t.period_end_at, t.cut_off_at
    from ${recordset}
    where exists (select 1 ${unbilledLinesOf('t')} limit 1)
    on conflict do nothing`, [targetsParam]);
}

/**
 * A posting not on any statement yet. `offset 0` keeps the anti-join a per-posting index probe:
 * right after bulk loads the statistics say invoice_items is empty, and the planner's merge anti-join
 * then reads the whole statement index once per account (20M heap fetches for a batch of 1,000).
 */
export const notOnStatement = (p: string) => `not exists (select 1 from invoice_items i where i.posting_key = ${p}.key offset 0)`;

/** The unbilled lines a target may bill ($t names the target; lines `l` joined to postings `p`). */
const unbilledLinesOf = (t: string) => `
  from ledger_lines l join ledger_postings p on p.key = l.posting_key
  where l.owner = ${t}.account_id and l.account_kind = 'unbilled' and p.effective_at < ${t}.cut_off_at and p.currency = ${t}.currency
    and not (p.attributes ? 'invoiceId')
    and (${t}.subscription_id is null or p.attributes ->> 'subscriptionId' = ${t}.subscription_id)
    and ${notOnStatement('p')}`;

/** Adds to each draft the statement items of the postings it does not have yet (late usage included). */
async function addStatementItems(sql: SqlOrTx, targetsParam: string): Promise<void> {
  await sql.unsafe(`
    insert into invoice_items (posting_key, invoice_id, line_id, record_id, posting_kind, effective_at, quantity, unit, amount)
    select u.key, t.invoice_id,
      coalesce(u.attributes ->> 'service', '') || '|' || coalesce(u.attributes ->> 'category', '') || '|' || coalesce(u.attributes ->> 'item', ''),
      u.attributes ->> 'recordId', u.kind::text, u.effective_at,
      case when u.kind = 'reversal' then -1 else 1 end * coalesce((u.attributes ->> 'quantity')::numeric, 0),
      coalesce(u.attributes ->> 'unit', ''), u.amount
    from ${recordset}
    join invoices inv on inv.id = t.invoice_id and inv.status = 'draft'
    -- Per account (lateral): every lookup goes through the owner index, whatever the statistics say.
    cross join lateral (
      select p.key, p.attributes, p.kind, p.effective_at, sum(case when l.side = 'debit' then l.amount else -l.amount end) as amount
      ${unbilledLinesOf('t')}
      group by p.key
    ) u
    on conflict (posting_key) do nothing`, [targetsParam]);
}

interface LineSum { invoice_id: string; line_id: string; unit: string; quantity: string; exact: string }

/** Rebuilds the lines and totals of drafts from their statement items, rounding each line once (domain). */
async function rebuildLines(sql: SqlOrTx, invoiceIds: readonly string[]): Promise<void> {
  if (invoiceIds.length === 0) return;
  const sums = await sql<LineSum[]>`
    select inv.id as invoice_id, s.line_id, s.unit, s.quantity, s.exact
    from invoices inv cross join lateral (
      select i.line_id, max(i.unit) as unit, sum(i.quantity)::text as quantity, sum(i.amount)::text as exact
      from invoice_items i where i.invoice_id = inv.id group by i.line_id
    ) s
    where inv.id = any(${invoiceIds as string[]}) and inv.status = 'draft' order by inv.id, s.line_id`;
  const lines = sums.map((s) => {
    const [service = '', category = '', item = ''] = s.line_id.split('|');
    return { invoice_id: s.invoice_id, line_id: s.line_id, service, category, item, unit: s.unit, quantity: s.quantity, exact_amount: s.exact, amount: lineAmount(s.exact) };
  });
  const byInvoice = new Map<string, Array<{ amount: string; exactAmount: string }>>();
  for (const line of lines) {
    const group = byInvoice.get(line.invoice_id) ?? [];
    group.push({ amount: line.amount, exactAmount: line.exact_amount });
    byInvoice.set(line.invoice_id, group);
  }
  const totals = [...byInvoice].map(([id, group]) => ({ id, ...invoiceTotals(group) }));
  await sql`delete from invoice_lines where invoice_id in (select id from invoices where id = any(${invoiceIds as string[]}) and status = 'draft')`;
  await sql`
    insert into invoice_lines (invoice_id, line_id, service, category, item, unit, quantity, exact_amount, amount)
    select * from jsonb_to_recordset(${JSON.stringify(lines)}::jsonb) as x(invoice_id text, line_id text, service text, category text,
      item text, unit text, quantity numeric, exact_amount numeric, amount numeric)`;
  await sql`
    update invoices i set kind = x.kind::invoice_kind, total = x.total, exact_total = x."exactTotal"
    from jsonb_to_recordset(${JSON.stringify(totals)}::jsonb) as x(id text, kind text, total numeric, "exactTotal" numeric)
    where i.id = x.id and i.status = 'draft'`;
}

/**
 * Brings the targets' drafts up to date: posts missing record charges, creates the draft where
 * there is something to bill, adds postings it lacks (late usage), rebuilds lines and totals.
 * Returns the invoice id per account that has one.
 */
export async function refreshDrafts(sql: SqlOrTx, targets: readonly InvoiceTarget[]): Promise<Map<string, string>> {
  if (targets.length === 0) return new Map();
  const param = targetsJson(targets);
  await postRecordCharges(sql, [...new Set(targets.map((t) => t.accountId))], targets.length === 1 ? targets[0]!.subscriptionId : null);
  await createDrafts(sql, param);
  await addStatementItems(sql, param);
  const ids = targets.map((t) => t.invoiceId);
  await rebuildLines(sql, ids);
  const found = await sql<Array<{ id: string; account_id: string }>>`select id, account_id from invoices where id = any(${ids})`;
  return new Map(found.map((r) => [r.account_id, r.id]));
}

/**
 * Why each account must be parked (domain/billing/invariants, set-based): a record with more than
 * one live charge posting (originals and revisions minus reversals), or more than one cycle invoice
 * for the same period.
 */
export async function parkReasons(sql: SqlOrTx, accountIds: readonly string[]): Promise<Map<string, ParkReason[]>> {
  const reasons = new Map<string, ParkReason[]>();
  if (accountIds.length === 0) return reasons;
  const add = (account: string, reason: ParkReason) => reasons.set(account, [...(reasons.get(account) ?? []), reason]);
  const records = await sql<Array<{ account_id: string; record_id: string; live: number; keys: string[] }>>`
    select l.owner as account_id, p.attributes ->> 'recordId' as record_id,
      sum(case when p.kind = 'reversal' then -1 else 1 end)::int as live, array_agg(p.key order by p.key) as keys
    from ledger_lines l join ledger_postings p on p.key = l.posting_key
    where l.owner = any(${accountIds as string[]}) and l.account_kind = 'unbilled' and p.attributes ? 'recordId'
    group by l.owner, p.attributes ->> 'recordId' having sum(case when p.kind = 'reversal' then -1 else 1 end) > 1`;
  for (const r of records) {
    add(r.account_id, { code: 'DUPLICATE_RECORD_POSTING', message: `record ${r.record_id} has ${r.live} live charge postings`, subject: r.record_id, refs: r.keys });
  }
  const periods = await sql<Array<{ account_id: string; period: string; ids: string[] }>>`
    select account_id, to_char(period_start_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '/' ||
      to_char(period_end_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as period, array_agg(id order by id) as ids
    from invoices where account_id = any(${accountIds as string[]}) and trigger = 'cycle' and kind = 'invoice'
    group by account_id, period_start_at, period_end_at having count(*) > 1`;
  for (const r of periods) {
    add(r.account_id, { code: 'DUPLICATE_PERIOD_INVOICE', message: `period ${r.period} has ${r.ids.length} invoices`, subject: r.period, refs: r.ids });
  }
  return reasons;
}

interface InvoiceHead {
  id: string; account_id: string; currency: string; kind: 'invoice' | 'credit_note'; trigger: Invoice['trigger'];
  total: string; exact_total: string; cut_off_at: string; period_start_at: string; period_end_at: string; corrects_invoice_id: string | null;
}

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Marks drafts final and posts their ledger entries (domain invoiceEntry: unbilled -> receivable, rounding aside). */
export async function finaliseInvoices(sql: SqlOrTx, invoiceIds: readonly string[], asOf: string): Promise<number> {
  if (invoiceIds.length === 0) return 0;
  const heads = await sql.unsafe<InvoiceHead[]>(`
    update invoices set status = 'final', finalised_at = $2 where id = any($1) and status = 'draft'
    returning id, account_id, currency, kind, trigger, total::text, exact_total::text, ${iso('cut_off_at')} as cut_off_at,
      ${iso('period_start_at')} as period_start_at, ${iso('period_end_at')} as period_end_at, corrects_invoice_id`, [invoiceIds as string[], asOf]);
  const postings: Posting[] = heads.flatMap((h) => postingDelta([invoiceEntry(asInvoice(h))], []));
  await insertPostings(sql, postings);
  return heads.length;
}

function asInvoice(h: InvoiceHead): Invoice {
  return {
    id: h.id, accountId: h.account_id, currency: h.currency, kind: h.kind, status: 'draft', trigger: h.trigger,
    periodStartAt: h.period_start_at, periodEndAt: h.period_end_at, cutOffAt: h.cut_off_at, rounding: DEFAULT_INVOICE_ROUNDING,
    lines: [], total: h.total, exactTotal: h.exact_total, postingKeys: [], correctsInvoiceId: h.corrects_invoice_id,
  };
}

/** Closes the targets' subscriptions' billing periods (state CLOSED, first close time kept). */
export async function closeBillingPeriods(sql: SqlOrTx, targets: readonly InvoiceTarget[], asOf: string): Promise<void> {
  if (targets.length === 0) return;
  await sql.unsafe(`
    insert into billing_periods (subscription_id, start_at, end_at, state, closed_at)
    select s.id, t.period_start_at, t.period_end_at, 'CLOSED', $2 from ${recordset} join subscriptions s on s.account_id = t.account_id
    on conflict (subscription_id, start_at) do update set state = 'CLOSED', closed_at = coalesce(billing_periods.closed_at, excluded.closed_at)`,
  [targetsJson(targets), asOf]);
}
