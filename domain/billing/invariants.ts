// The checks a billing run makes before it finalises an account's invoice. A failing account is
// parked with a visible reason (and the run goes on with the others); nothing is posted for it
// until a person resolves the cause. Both checks look for the double-billing the idempotency keys
// are meant to make impossible, so a hit means a bug or a manual write, never normal operation.
import { livePostings, type Posting } from '../ledger';
import { finaliseDraft, type Invoice } from './invoice';

export type ParkCode = 'DUPLICATE_RECORD_POSTING' | 'DUPLICATE_PERIOD_INVOICE';

export interface ParkReason {
  readonly code: ParkCode;
  readonly message: string;
  /** The record id or the period ("start/end") concerned, and the keys or invoice ids involved. */
  readonly subject: string;
  readonly refs: readonly string[];
}

/** Records with more than one live (unreversed) charge posting, across all entries. */
function duplicateRecordPostings(postings: readonly Posting[]): ParkReason[] {
  const byRecord = new Map<string, Posting[]>();
  for (const posting of postings) {
    const recordId = posting.attributes.recordId;
    if (recordId === undefined || posting.attributes.invoiceId !== undefined) continue;
    const group = byRecord.get(recordId);
    if (group) group.push(posting);
    else byRecord.set(recordId, [posting]);
  }
  const reasons: ParkReason[] = [];
  for (const [recordId, group] of byRecord) {
    const live = livePostings(group);
    if (live.length > 1) {
      reasons.push({
        code: 'DUPLICATE_RECORD_POSTING',
        message: `record ${recordId} has ${live.length} live charge postings`,
        subject: recordId,
        refs: live.map((p) => p.key).sort(),
      });
    }
  }
  return reasons;
}

/** More than one cycle invoice (draft or final) for the same period; threshold invoices and credit notes may repeat. */
function duplicatePeriodInvoices(invoices: readonly Invoice[]): ParkReason[] {
  const byPeriod = new Map<string, string[]>();
  for (const invoice of invoices) {
    if (invoice.trigger !== 'cycle' || invoice.kind !== 'invoice') continue;
    const period = `${invoice.periodStartAt}/${invoice.periodEndAt}`;
    const ids = byPeriod.get(period);
    if (ids) ids.push(invoice.id);
    else byPeriod.set(period, [invoice.id]);
  }
  const reasons: ParkReason[] = [];
  for (const [period, ids] of byPeriod) {
    const distinct = [...new Set(ids)].sort();
    if (distinct.length > 1) {
      reasons.push({ code: 'DUPLICATE_PERIOD_INVOICE', message: `period ${period} has ${distinct.length} invoices`, subject: period, refs: distinct });
    }
  }
  return reasons;
}

/** Every reason to park the account (empty: it may be finalised). `invoices` includes the draft. */
export function checkAccountInvariants(postings: readonly Posting[], invoices: readonly Invoice[]): ParkReason[] {
  return [...duplicateRecordPostings(postings), ...duplicatePeriodInvoices(invoices)];
}

export type FinaliseOutcome =
  | { readonly status: 'finalised'; readonly invoice: Invoice; readonly postings: Posting[] }
  | { readonly status: 'parked'; readonly invoice: Invoice; readonly reasons: ParkReason[] };

/**
 * Finalises a draft after the invariant checks: the account's postings and its other invoices (the
 * draft is added if missing). Parked: the draft stays a draft and nothing is posted.
 */
export function finaliseInvoice(draft: Invoice, accountPostings: readonly Posting[], accountInvoices: readonly Invoice[]): FinaliseOutcome {
  const invoices = accountInvoices.some((i) => i.id === draft.id) ? accountInvoices : [...accountInvoices, draft];
  const reasons = checkAccountInvariants(accountPostings, invoices);
  if (reasons.length > 0) return { status: 'parked', invoice: draft, reasons };
  return { status: 'finalised', ...finaliseDraft(draft) };
}
