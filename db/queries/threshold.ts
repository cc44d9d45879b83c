import { createHash } from 'node:crypto';
import { firstThresholdTrigger, type ThresholdReason } from '../../domain/billing';
import type { BillingTerm } from '../schema';
import { finaliseInvoices, notOnStatement, postRecordCharges, refreshDrafts } from './billing';
import type { SqlOrTx } from './ledger';

// Threshold billing (SPEC §2.5, §5 item 28): when a subscription's unbilled charges reach its
// billing term's maximum count or amount (domain firstThresholdTrigger, ">="), every unbilled
// charge of the subscription is invoiced at once and the invoice is final. Call in a transaction:
// a retry after commit finds nothing unbilled and bills nothing twice.

export interface ThresholdOutcome {
  invoiceId: string | null;
  reasons: ThresholdReason[];
  total: string | null;
}

export async function billThreshold(sql: SqlOrTx, input: { accountId: string; subscriptionId: string; asOf: string }): Promise<ThresholdOutcome> {
  const none: ThresholdOutcome = { invoiceId: null, reasons: [], total: null };
  const [sub] = await sql<Array<{ billing_term: BillingTerm | null; currency: string; owner_party_id: string }>>`
    select s.billing_term, a.currency, a.owner_party_id from subscriptions s join customer_accounts a on a.id = s.account_id
    where s.id = ${input.subscriptionId} and s.account_id = ${input.accountId} for update of s`;
  const term = sub?.billing_term;
  if (!sub || !term || (term.maxUnbilledRecords === undefined && term.maxUnbilledAmount === undefined)) return none;
  await postRecordCharges(sql, [input.accountId], input.subscriptionId);
  const unbilled = await sql<Array<{ key: string; amount: string; effective_at: string }>>`
    select p.key, sum(case when l.side = 'debit' then l.amount else -l.amount end)::text as amount,
      to_char(min(p.effective_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as effective_at
    from ledger_lines l join ledger_postings p on p.key = l.posting_key
    where l.owner = ${input.accountId} and l.account_kind = 'unbilled' and p.currency = ${sub.currency}
      and p.attributes ->> 'subscriptionId' = ${input.subscriptionId} and p.attributes ? 'recordId' and not (p.attributes ? 'invoiceId')
      and ${sql.unsafe(notOnStatement('p'))}
    group by p.key order by min(p.effective_at), p.key`;
  const hit = firstThresholdTrigger(
    { maxUnbilledRecords: term.maxUnbilledRecords ?? null, maxUnbilledAmount: term.maxUnbilledAmount ?? null },
    unbilled.map((u) => u.amount),
  );
  if (!hit) return none;
  const keys = unbilled.map((u) => u.key);
  const invoiceId = `INV-T-${createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16).toUpperCase()}`;
  // The cut-off is just after the latest unbilled charge: the early invoice takes all of them.
  const latestMs = Math.max(Date.parse(input.asOf), ...unbilled.map((u) => Date.parse(u.effective_at)));
  await refreshDrafts(sql, [{
    invoiceId, accountId: input.accountId, ownerPartyId: sub.owner_party_id, runId: null, currency: sub.currency, trigger: 'threshold',
    subscriptionId: input.subscriptionId, periodStartAt: unbilled[0]!.effective_at, periodEndAt: new Date(latestMs + 1).toISOString(),
    cutOffAt: new Date(latestMs + 1).toISOString(),
  }]);
  await finaliseInvoices(sql, [invoiceId], input.asOf);
  const [row] = await sql<Array<{ total: string }>>`select total::text from invoices where id = ${invoiceId}`;
  return { invoiceId, reasons: [...hit.decision.reasons], total: row?.total ?? null };
}
