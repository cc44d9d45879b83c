import { accountsDueAt, accountsDueOn, RUN_ACCOUNT_STATUSES, type BillingCycle, type DueAccount, type RunAccountStatus, type RunCounts } from '../../domain/billing';
import { copyLines, copyText } from '../copy';
import { cycleInvoiceId, type InvoiceTarget } from './billing';
import type { SqlOrTx } from './ledger';

// A billing run's accounts: selected once (the accounts whose invoices are built on the run date, or
// for a scheduled run whose build date began in their own time zone in the 24 hours up to its instant,
// minus those whose cycle invoice already exists), numbered into batches, then moved through
// pending -> drafted | empty | failed -> finalised | parked by the batch activities.

export interface RunSelection { accounts: number; batches: number; failed: number }

/** When a run bills: a local date for every account, or a scheduled run's instant (run_at). */
interface RunWhen { run_date: string; run_at: string | null }

/** The account's due period in the run, if any: by the run's instant when it has one, else by its date. */
function dueIn(run: RunWhen, account: { id: string; billing_cycle: BillingCycle; time_zone: string }): DueAccount | undefined {
  const cycleAccount = { accountId: account.id, cycle: account.billing_cycle, timeZone: account.time_zone };
  return (run.run_at === null ? accountsDueOn([cycleAccount], run.run_date) : accountsDueAt([cycleAccount], run.run_at))[0];
}

/** Why an account's cycle or time zone cannot be evaluated (Intl refuses an unknown zone with a RangeError). */
const cycleFailure = (err: unknown) => `${err instanceof RangeError ? 'INVALID_TIME_ZONE' : 'INVALID_CYCLE'}: ${(err as Error).message}`;

const RUN_WHEN = `run_date, to_char(run_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as run_at`;

/**
 * Selects the run's accounts once (a retry finds them selected and only counts). An account whose
 * cycle cannot be evaluated is selected as failed with the reason; one already invoiced for the
 * period is left out, so a second run for the same cycle has nothing to do.
 */
export async function selectRunAccounts(
  sql: SqlOrTx, input: { runId: string; ownerPartyId: string; batchSize: number },
): Promise<RunSelection> {
  const run = async (tx: SqlOrTx): Promise<RunSelection> => {
    const [when] = await tx.unsafe<RunWhen[]>(`select ${RUN_WHEN} from billing_runs where id = $1 for update`, [input.runId]);
    if (!when) throw new Error(`billing run ${input.runId} is not recorded`);
    const [done] = await tx<Array<{ accounts: number; batches: number; failed: number }>>`
      select count(*)::int as accounts, coalesce(max(batch_no) + 1, 0)::int as batches, (count(*) filter (where status = 'failed'))::int as failed
      from billing_run_accounts where run_id = ${input.runId}`;
    if (done!.accounts > 0) return done!;
    const accounts = await tx<Array<{ id: string; billing_cycle: BillingCycle; time_zone: string; invoiced: string[] }>>`
      select a.id, a.billing_cycle, a.time_zone,
        array(select to_char(i.period_start_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') from invoices i where i.account_id = a.id and i.trigger = 'cycle') as invoiced
      from customer_accounts a where a.owner_party_id = ${input.ownerPartyId} and a.billing_mode = 'postpaid' order by a.id`;
    const rows: string[] = [];
    let failed = 0;
    for (const account of accounts) {
      let line: string | null;
      try {
        const due = dueIn(when, account);
        line = due && !account.invoiced.includes(due.period.startAt)
          ? `${copyText(account.id)}\t%BATCH%\tpending\t${due.period.startAt}\t${due.period.endAt}\t\\N\n` : null;
      } catch (err) {
        failed++;
        line = `${copyText(account.id)}\t%BATCH%\tfailed\t\\N\t\\N\t${copyText(cycleFailure(err))}\n`;
      }
      if (line) rows.push(line.replace('%BATCH%', String(Math.floor(rows.length / input.batchSize))));
    }
    await copyLines(tx, 'billing_run_accounts', 'run_id, account_id, batch_no, status, period_start_at, period_end_at, failure_reason',
      rows.map((r) => `${copyText(input.runId)}\t${r}`));
    return { accounts: rows.length, batches: Math.ceil(rows.length / input.batchSize), failed };
  };
  return 'begin' in sql ? sql.begin(run) : run(sql);
}

interface TargetRow {
  account_id: string; owner_party_id: string; currency: string; period_start_at: string; period_end_at: string; foreign_currency: string | null;
}

/** The batch's accounts in `statuses` as invoice targets (cut-off: the period end), and those that cannot be billed, with why. */
export async function batchTargets(
  sql: SqlOrTx, runId: string, batchNo: number, statuses: readonly RunAccountStatus[],
): Promise<{ targets: InvoiceTarget[]; refused: Array<{ accountId: string; reason: string }> }> {
  const rows = await sql<TargetRow[]>`
    select ra.account_id, a.owner_party_id, a.currency,
      to_char(ra.period_start_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as period_start_at,
      to_char(ra.period_end_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as period_end_at,
      (select min(b.currency) from billable_records b where b.account_id = ra.account_id and b.currency <> a.currency) as foreign_currency
    from billing_run_accounts ra join customer_accounts a on a.id = ra.account_id
    where ra.run_id = ${runId} and ra.batch_no = ${batchNo} and ra.status = any(${statuses as RunAccountStatus[]}) order by ra.account_id`;
  const targets: InvoiceTarget[] = [];
  const refused: Array<{ accountId: string; reason: string }> = [];
  for (const r of rows) {
    if (r.foreign_currency !== null) {
      refused.push({ accountId: r.account_id, reason: `CURRENCY_MISMATCH: account ${r.account_id} bills in ${r.currency} but has records in ${r.foreign_currency}` });
      continue;
    }
    targets.push({
      invoiceId: cycleInvoiceId(r.account_id, r.period_start_at), accountId: r.account_id, ownerPartyId: r.owner_party_id, runId,
      currency: r.currency, trigger: 'cycle', subscriptionId: null, periodStartAt: r.period_start_at, periodEndAt: r.period_end_at, cutOffAt: r.period_end_at,
    });
  }
  return { targets, refused };
}

export interface AccountOutcome { accountId: string; status: RunAccountStatus; invoiceId?: string | null; reason?: string | null; parked?: unknown }

/** Records each account's outcome (one statement). */
export async function setAccountOutcomes(sql: SqlOrTx, runId: string, outcomes: readonly AccountOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const rows = outcomes.map((o) => ({ account_id: o.accountId, status: o.status, invoice_id: o.invoiceId ?? null, reason: o.reason ?? null, parked: o.parked ?? null }));
  await sql`
    update billing_run_accounts ra set status = x.status::billing_run_account_status, invoice_id = coalesce(x.invoice_id, ra.invoice_id),
      failure_reason = x.reason, parked_reasons = x.parked, attempts = ra.attempts + 1, updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(account_id text, status text, invoice_id text, reason text, parked jsonb)
    where ra.run_id = ${runId} and ra.account_id = x.account_id`;
}

/** Per-status counts of a run, or of one batch. */
export async function runCounts(sql: SqlOrTx, runId: string, batchNo: number | null = null): Promise<RunCounts> {
  const rows = await sql<Array<{ status: RunAccountStatus; n: number }>>`
    select status, count(*)::int as n from billing_run_accounts
    where run_id = ${runId} and (${batchNo}::int is null or batch_no = ${batchNo}) group by status`;
  const counts = Object.fromEntries(RUN_ACCOUNT_STATUSES.map((s) => [s, 0])) as RunCounts;
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/**
 * Failed and parked accounts back to pending (a parked one is checked again after a person fixed the cause), an invalid cycle evaluated again (still invalid: it stays failed
 * with the new reason). Returns the batches to work again.
 */
export async function resetFailedAccounts(sql: SqlOrTx, runId: string): Promise<number[]> {
  const [when] = await sql.unsafe<RunWhen[]>(`select ${RUN_WHEN} from billing_runs where id = $1`, [runId]);
  const failed = await sql<Array<{ id: string; batch_no: number; billing_cycle: BillingCycle; time_zone: string; has_period: boolean }>>`
    select ra.account_id as id, ra.batch_no, a.billing_cycle, a.time_zone, ra.period_start_at is not null as has_period
    from billing_run_accounts ra join customer_accounts a on a.id = ra.account_id
    where ra.run_id = ${runId} and ra.status in ('failed', 'parked')`;
  const updates = failed.map((f) => {
    if (f.has_period) return { account_id: f.id, start: null, end: null, reason: null };
    try {
      const due = dueIn(when!, f);
      if (!due) return { account_id: f.id, start: null, end: null, reason: `NOT_DUE: the account is not billed on ${when!.run_at ?? when!.run_date} any more` };
      return { account_id: f.id, start: due.period.startAt, end: due.period.endAt, reason: null };
    } catch (err) {
      return { account_id: f.id, start: null, end: null, reason: cycleFailure(err) };
    }
  });
  if (updates.length === 0) return [];
  const rows = await sql<Array<{ batch_no: number; status: RunAccountStatus }>>`
    update billing_run_accounts ra set status = (case when x.reason is null then 'pending' else 'failed' end)::billing_run_account_status,
      failure_reason = x.reason, period_start_at = coalesce(x.start, ra.period_start_at), period_end_at = coalesce(x."end", ra.period_end_at), updated_at = now()
    from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as x(account_id text, start timestamptz, "end" timestamptz, reason text)
    where ra.run_id = ${runId} and ra.account_id = x.account_id
    returning ra.batch_no, ra.status`;
  return [...new Set(rows.filter((r) => r.status === 'pending').map((r) => r.batch_no))].sort((a, b) => a - b);
}

export interface RunRow {
  id: string; ownerPartyId: string; runDate: string; runAt: string | null; phase: string; graceSeconds: number; notifyEmail: string | null;
  startedBy: string; approvedBy: string | null; approvedAt: string | null; completedAt: string | null;
}

/** Records a run (once per id; a repeated start finds the first). */
export async function insertRun(
  sql: SqlOrTx, run: Omit<RunRow, 'phase' | 'approvedBy' | 'approvedAt' | 'completedAt' | 'runAt'> & { runAt?: string },
): Promise<{ run: RunRow; created: boolean }> {
  const created = await sql`
    insert into billing_runs (id, owner_party_id, run_date, run_at, grace_seconds, notify_email, started_by)
    values (${run.id}, ${run.ownerPartyId}, ${run.runDate}, ${run.runAt ?? null}, ${run.graceSeconds}, ${run.notifyEmail}, ${run.startedBy})
    on conflict (id) do nothing returning id`;
  return { run: (await findRun(sql, run.id))!, created: created.length > 0 };
}

export async function findRun(sql: SqlOrTx, id: string): Promise<RunRow | undefined> {
  const [row] = await sql<RunRow[]>`
    select id, owner_party_id as "ownerPartyId", run_date as "runDate",
      to_char(run_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "runAt", phase, grace_seconds as "graceSeconds", notify_email as "notifyEmail",
      started_by as "startedBy", approved_by as "approvedBy",
      to_char(approved_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "approvedAt",
      to_char(completed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "completedAt"
    from billing_runs where id = ${id}`;
  return row;
}

/** The run's accounts in a status (failed and parked ones with why), by account id. */
export async function runAccounts(sql: SqlOrTx, runId: string, status: RunAccountStatus | null, limit: number) {
  return sql<Array<{ accountId: string; status: RunAccountStatus; invoiceId: string | null; failureReason: string | null; parkedReasons: unknown; attempts: number }>>`
    select account_id as "accountId", status, invoice_id as "invoiceId", failure_reason as "failureReason", parked_reasons as "parkedReasons", attempts
    from billing_run_accounts where run_id = ${runId} and (${status}::text is null or status::text = ${status}) order by account_id limit ${limit}`;
}
