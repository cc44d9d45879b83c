import { sql } from 'drizzle-orm';
import { index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { RUN_ACCOUNT_STATUSES, RUN_PHASES, type ParkReason } from '../../domain/billing';
import { parties } from './parties';

// Billing runs and invoices (SPEC §2.5, DESIGN "billing run"). A run selects the accounts due and
// keeps one row per account with its status and, when it failed or was parked, the reason. An
// invoice is a draft until the run finalises it; a final invoice, its lines and its statement items
// can no longer change (trigger in migration 0008_billing_guards.sql): corrections are credit notes.
// A posting is on at most one invoice (statement items keyed by posting), so nothing bills twice.

export const billingRunPhase = pgEnum('billing_run_phase', RUN_PHASES);
export const runAccountStatus = pgEnum('billing_run_account_status', RUN_ACCOUNT_STATUSES);
export const invoiceKind = pgEnum('invoice_kind', ['invoice', 'credit_note']);
export const invoiceStatus = pgEnum('invoice_status', ['draft', 'final']);
export const invoiceTrigger = pgEnum('invoice_trigger', ['cycle', 'threshold', 'correction']);

export const billingRuns = pgTable('billing_runs', {
  id: text('id').primaryKey(),
  /** The operator whose customer accounts the run bills. */
  ownerPartyId: text('owner_party_id').notNull().references(() => parties.id),
  /** Local date the invoices are built on (billing day + 2, SPEC §5 item 30); a scheduled run's: the UTC date of runAt. */
  runDate: text('run_date').notNull(),
  /**
   * A scheduled run's instant (the schedule's nominal time): it bills each account whose build date
   * began in the account's own time zone in the 24 hours up to it. Null: a run for the local date runDate.
   */
  runAt: timestamp('run_at', { withTimezone: true, mode: 'string' }),
  phase: billingRunPhase('phase').notNull().default('selecting'),
  /** Seconds the drafts wait for approval before they finalise by themselves. */
  graceSeconds: integer('grace_seconds').notNull(),
  notifyEmail: text('notify_email'),
  startedBy: text('started_by').notNull(),
  approvedBy: text('approved_by'),
  approvedAt: timestamp('approved_at', { withTimezone: true, mode: 'string' }),
  completedAt: timestamp('completed_at', { withTimezone: true, mode: 'string' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const billingRunAccounts = pgTable(
  'billing_run_accounts',
  {
    runId: text('run_id').notNull().references(() => billingRuns.id),
    accountId: text('account_id').notNull(),
    /** Accounts are worked in batches of this number (one activity each). */
    batchNo: integer('batch_no').notNull(),
    status: runAccountStatus('status').notNull().default('pending'),
    periodStartAt: timestamp('period_start_at', { withTimezone: true, mode: 'string' }),
    periodEndAt: timestamp('period_end_at', { withTimezone: true, mode: 'string' }),
    invoiceId: text('invoice_id'),
    failureReason: text('failure_reason'),
    parkedReasons: jsonb('parked_reasons').$type<ParkReason[]>(),
    attempts: integer('attempts').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.accountId] }), index('billing_run_accounts_batch_idx').on(t.runId, t.batchNo)],
);

export const invoices = pgTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    ownerPartyId: text('owner_party_id').notNull(),
    runId: text('run_id'),
    kind: invoiceKind('kind').notNull(),
    status: invoiceStatus('status').notNull().default('draft'),
    trigger: invoiceTrigger('trigger').notNull(),
    currency: text('currency').notNull(),
    /** Threshold invoices bill one subscription; cycle invoices the whole account. */
    subscriptionId: text('subscription_id'),
    periodStartAt: timestamp('period_start_at', { withTimezone: true, mode: 'string' }).notNull(),
    periodEndAt: timestamp('period_end_at', { withTimezone: true, mode: 'string' }).notNull(),
    cutOffAt: timestamp('cut_off_at', { withTimezone: true, mode: 'string' }).notNull(),
    /** Sum of the rounded lines; exactTotal - total is the rounding difference. */
    total: numeric('total').notNull().default('0'),
    exactTotal: numeric('exact_total').notNull().default('0'),
    correctsInvoiceId: text('corrects_invoice_id'),
    finalisedAt: timestamp('finalised_at', { withTimezone: true, mode: 'string' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One cycle invoice per account and period: a second run for the same cycle finds it there.
    uniqueIndex('invoices_cycle_period_key').on(t.accountId, t.periodStartAt).where(sql`${t.trigger} = 'cycle'`),
    index('invoices_account_idx').on(t.accountId),
    index('invoices_run_idx').on(t.runId),
  ],
);

export const invoiceLines = pgTable(
  'invoice_lines',
  {
    invoiceId: text('invoice_id').notNull().references(() => invoices.id),
    /** "service|category|item". */
    lineId: text('line_id').notNull(),
    service: text('service').notNull(),
    category: text('category').notNull(),
    item: text('item').notNull(),
    unit: text('unit').notNull(),
    quantity: numeric('quantity').notNull(),
    exactAmount: numeric('exact_amount').notNull(),
    /** Rounded once (domain/billing/rounding). */
    amount: numeric('amount').notNull(),
  },
  (t) => [primaryKey({ columns: [t.invoiceId, t.lineId] })],
);

/** A statement item: one posting behind a line of an invoice or credit note (invoiceId), keyed by the posting. */
const statementItemColumns = () => ({
  postingKey: text('posting_key').primaryKey(),
  invoiceId: text('invoice_id').notNull().references(() => invoices.id),
  lineId: text('line_id').notNull(),
  recordId: text('record_id'),
  postingKind: text('posting_kind').notNull(),
  effectiveAt: timestamp('effective_at', { withTimezone: true, mode: 'string' }).notNull(),
  /** Reversals count negative. */
  quantity: numeric('quantity').notNull(),
  unit: text('unit').notNull(),
  /** Exact contribution to unbilled, positive = charge. */
  amount: numeric('amount').notNull(),
});

/**
 * The itemised statement: every posting (rated record, reversal, period charge) behind a line. A
 * posting is billed once, ever.
 */
export const invoiceItems = pgTable('invoice_items', statementItemColumns(), (t) => [index('invoice_items_invoice_idx').on(t.invoiceId, t.lineId)]);

/**
 * A credit note's itemised statement: for each credited line, the statement items of the original
 * invoice behind it (postingKey: the credited posting) with quantity and amount negated, so its lines
 * are the exact sums of its items as an invoice's are. A posting is credited once, ever. Immutable
 * once the credit note is final (migration 0013_credit_note_guards.sql).
 */
export const creditNoteItems = pgTable('credit_note_items', statementItemColumns(), (t) => [index('credit_note_items_invoice_idx').on(t.invoiceId, t.lineId)]);

/** Who changed a billable record's billing facts, when, and from what to what (DESIGN invariant 7). */
export const billableRecordEvents = pgTable(
  'billable_record_events',
  {
    recordId: text('record_id').notNull(),
    seq: integer('seq').notNull(),
    action: text('action').notNull(),
    actor: text('actor').notNull(),
    before: jsonb('before').notNull(),
    after: jsonb('after').notNull(),
    postingKeys: text('posting_keys').array().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.recordId, t.seq] })],
);
