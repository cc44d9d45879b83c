import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../domain/errors';
import type { Database } from '../db/client';
import { closeBillingPeriods, finaliseInvoices, parkReasons, refreshDrafts, type InvoiceTarget } from '../db/queries/billing';
import {
  batchTargets, insertRun, resetFailedAccounts, runCounts, selectRunAccounts, setAccountOutcomes, type AccountOutcome,
} from '../db/queries/billing-runs';
import type { RunAccountStatus, RunCounts, RunPhase } from '../domain/billing';
import { postPeriodCharges } from '../db/queries/period-charges';
import { billThreshold, type ThresholdOutcome } from '../db/queries/threshold';
import type { SqlOrTx } from '../db/queries/ledger';
import { signLink } from '../lib/link-token';
import { heartbeating } from './heartbeat';
import type { MailDeps } from './review';

// The billing run's steps, each a batch of hundreds of accounts in one transaction (DESIGN
// "Performance"). A batch that fails on an account's data is worked again account by account, so
// one bad account is recorded as failed with its reason while the others are billed; errors of the
// infrastructure are thrown and retried by Temporal. Every step is idempotent: it works only the
// accounts still in the statuses it takes, and every write has a business key.

/** Errors that come from one account's data (constraint, data exception, guard, domain refusal), not from the infrastructure. */
function isDataError(err: unknown): boolean {
  if (err instanceof DomainError) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (/^2[23]/.test(code) || code.startsWith('MF') || code === 'P0001');
}

type Work = (tx: SqlOrTx, targets: InvoiceTarget[]) => Promise<AccountOutcome[]>;

export function billingActivities({ database }: { database: Database }, mail: MailDeps) {
  const { sql } = database;

  /** Works the batch in one transaction; on a data error, each account in its own, recording the failing ones. */
  const workBatch = (runId: string, batchNo: number, statuses: readonly RunAccountStatus[], work: Work): Promise<RunCounts> => heartbeating(async () => {
    const { targets, refused } = await batchTargets(sql, runId, batchNo, statuses);
    await setAccountOutcomes(sql, runId, refused.map((r) => ({ accountId: r.accountId, status: 'failed', reason: r.reason })));
    const inTransaction = (part: InvoiceTarget[]) => sql.begin(async (tx) => {
      // Every statement reaches rows by account through an index; right after bulk loads the
      // statistics say the statement tables are empty, and a sequential scan there per account
      // would make a run quadratic.
      await tx`set local enable_seqscan = off`;
      await setAccountOutcomes(tx, runId, await work(tx, part));
    });
    try {
      await inTransaction(targets);
    } catch (err) {
      if (!isDataError(err)) throw err;
      for (const target of targets) {
        await inTransaction([target]).catch(async (one: unknown) => {
          if (!isDataError(one)) throw one;
          await setAccountOutcomes(sql, runId, [{ accountId: target.accountId, status: 'failed', reason: (one as Error).message }]);
        });
      }
    }
    return runCounts(sql, runId, batchNo);
  });

  return {
    /** Records a run a schedule started (once), with the schedule's time: each account is due by its local date then. */
    async recordRun(input: { runId: string; ownerPartyId: string; runDate: string; runAt: string; graceSeconds: number; notifyEmail: string | null }): Promise<void> {
      await insertRun(sql, {
        id: input.runId, ownerPartyId: input.ownerPartyId, runDate: input.runDate, runAt: input.runAt, graceSeconds: input.graceSeconds,
        notifyEmail: input.notifyEmail, startedBy: 'schedule',
      });
    },

    async selectRunAccounts(input: { runId: string; ownerPartyId: string; batchSize: number }) {
      return heartbeating(() => selectRunAccounts(sql, input));
    },

    /** Phase changes as the workflow makes them (approval recorded with who and when). */
    async setRunPhase(input: { runId: string; phase: RunPhase; asOf: string; approvedBy?: string }): Promise<void> {
      await sql`
        update billing_runs set phase = ${input.phase},
          approved_by = coalesce(approved_by, ${input.approvedBy ?? null}),
          approved_at = case when ${input.approvedBy ?? null}::text is null then approved_at else coalesce(approved_at, ${input.asOf}) end,
          completed_at = case when ${input.phase} = 'completed' then coalesce(completed_at, ${input.asOf}) else completed_at end
        where id = ${input.runId}`;
    },

    /** Posts the accounts' record and period charges and builds their drafts (cut-off: the period end). */
    async draftBatch({ runId, batchNo }: { runId: string; batchNo: number; asOf: string }): Promise<RunCounts> {
      return workBatch(runId, batchNo, ['pending'], async (tx, targets) => {
        await postPeriodCharges(tx, targets);
        const invoiced = await refreshDrafts(tx, targets);
        return targets.map((t) => (invoiced.has(t.accountId)
          ? { accountId: t.accountId, status: 'drafted', invoiceId: invoiced.get(t.accountId) }
          : { accountId: t.accountId, status: 'empty' }));
      });
    },

    /**
     * Refreshes the drafts (late usage before the cut-off joins them, and the period charges' delta
     * it brings), parks accounts that fail the invariants, finalises the others and closes their periods.
     */
    async finaliseBatch({ runId, batchNo, asOf }: { runId: string; batchNo: number; asOf: string }): Promise<RunCounts> {
      return workBatch(runId, batchNo, ['pending', 'drafted', 'empty'], async (tx, targets) => {
        await postPeriodCharges(tx, targets);
        const invoiced = await refreshDrafts(tx, targets);
        const reasons = await parkReasons(tx, [...invoiced.keys()]);
        const finals = [...invoiced].filter(([account]) => !reasons.has(account)).map(([, id]) => id);
        await finaliseInvoices(tx, finals, asOf);
        await closeBillingPeriods(tx, targets.filter((t) => !reasons.has(t.accountId)), asOf);
        return targets.map((t): AccountOutcome => {
          const parked = reasons.get(t.accountId);
          if (parked) return { accountId: t.accountId, status: 'parked', invoiceId: invoiced.get(t.accountId), parked };
          return invoiced.has(t.accountId) ? { accountId: t.accountId, status: 'finalised', invoiceId: invoiced.get(t.accountId) } : { accountId: t.accountId, status: 'empty' };
        });
      });
    },

    /** Failed and parked accounts back to pending; the batches the run works again. */
    async retryFailedAccounts({ runId }: { runId: string }): Promise<{ batches: number[] }> {
      return { batches: await resetFailedAccounts(sql, runId) };
    },

    async runCounts({ runId }: { runId: string }): Promise<RunCounts> {
      return runCounts(sql, runId);
    },

    /**
     * Mails the billing manager the drafts' totals with a signed approval link (GET: confirmation
     * page; its form POSTs). The outbox row (run, kind, 0) keeps a retry from sending twice.
     */
    async sendRunApprovalMail({ runId, asOf }: { runId: string; asOf: string }): Promise<{ sent: boolean }> {
      const [run] = await sql<Array<{ notify_email: string | null; run_date: string; invoices: number; total: string | null }>>`
        select r.notify_email, r.run_date, count(i.id)::int as invoices, sum(i.total)::text as total
        from billing_runs r left join invoices i on i.run_id = r.id where r.id = ${runId} group by r.id`;
      if (!run?.notify_email) return { sent: false };
      const recipient = run.notify_email;
      const expiresAtSeconds = Math.floor(Date.parse(asOf) / 1000 + mail.linkTtlDays * 86_400);
      const link = `${mail.publicUrl}/links/billing-runs/${signLink(mail.linkSecret, { fileId: runId, action: 'approve', recipient, expiresAtSeconds })}`;
      const subject = `Billing run ${runId} (${run.run_date}) waits for your approval`;
      const body = [
        `The billing run ${runId} for ${run.run_date} drafted ${run.invoices} invoices totalling ${run.total ?? '0'} (all currencies added).`,
        '', `Approve: ${link}`, '',
        'The link opens a confirmation page; it is valid once. Without approval the drafts finalise after the grace period.',
      ].join('\n');
      await sql`insert into mail_outbox (file_id, kind, seq, recipient, subject, body) values (${runId}, 'billing-approval', 0, ${recipient}, ${subject}, ${body}) on conflict do nothing`;
      const [pending] = await sql<Array<{ subject: string; body: string }>>`
        select subject, body from mail_outbox where file_id = ${runId} and kind = 'billing-approval' and seq = 0 and sent_at is null`;
      if (!pending || !mail.mailer.sends) return { sent: false };
      await mail.mailer.send({ to: recipient, subject: pending.subject, text: pending.body });
      await sql`update mail_outbox set sent_at = now() where file_id = ${runId} and kind = 'billing-approval' and seq = 0`;
      return { sent: true };
    },

    /** Bills the subscription at once when its unbilled records reach the billing term's limits (SPEC §2.5). */
    async billThresholdIfReached(input: { accountId: string; subscriptionId: string; asOf: string }): Promise<ThresholdOutcome> {
      try {
        return await sql.begin((tx) => billThreshold(tx, input));
      } catch (err) {
        if (err instanceof DomainError) throw ApplicationFailure.nonRetryable(err.message, err.code, err.details);
        throw err;
      }
    },
  };
}
