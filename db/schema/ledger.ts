import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { ACCOUNT_KINDS, type PostingAttributes } from '../../domain/ledger';

// The append-only ledger (DESIGN.md invariant 2). A posting is keyed by its idempotency key
// (domain/ledger entryKeys/postingKey), so a retried write is a no-op under `on conflict (key) do
// nothing`. The database itself refuses UPDATE, DELETE and TRUNCATE of both tables and, at commit,
// a posting whose lines do not balance or whose line count differs from `line_count` (triggers in
// migrations 0002_ledger_guards.sql and 0008_billing_guards.sql), so no code path can edit history or post half an entry.

export const postingKind = pgEnum('ledger_posting_kind', ['original', 'reversal', 'revision']);
export const ledgerAccountKind = pgEnum('ledger_account_kind', ACCOUNT_KINDS);
export const ledgerSide = pgEnum('ledger_side', ['debit', 'credit']);

export const ledgerPostings = pgTable(
  'ledger_postings',
  {
    key: text('key').primaryKey(),
    entry: text('entry').notNull(),
    kind: postingKind('kind').notNull(),
    revision: integer('revision').notNull(),
    reverses: text('reverses'),
    currency: text('currency').notNull(),
    effectiveAt: timestamp('effective_at', { withTimezone: true, mode: 'string' }).notNull(),
    attributes: jsonb('attributes').$type<PostingAttributes>().notNull().default({}),
    /** How many lines the posting has; the commit-time guard checks it, so lines cannot be added later. */
    lineCount: integer('line_count').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // text_pattern_ops: scopes are loaded by entry prefix ("record:r1:", "wallet:W-1:").
    index('ledger_postings_entry_idx').using('btree', t.entry.op('text_pattern_ops')),
    check('ledger_postings_line_count_positive', sql`${t.lineCount} > 0`),
    check('ledger_postings_revision_non_negative', sql`${t.revision} >= 0`),
  ],
);

export const ledgerLines = pgTable(
  'ledger_lines',
  {
    // No foreign key: the balance guard (migration 0010) refuses at commit any line whose posting
    // was not inserted in the same transaction, and postings are never deleted, so a per-line
    // foreign-key check would only repeat it (about 10% of posting a billing batch).
    postingKey: text('posting_key').notNull(),
    lineNo: integer('line_no').notNull(),
    accountKind: ledgerAccountKind('account_kind').notNull(),
    /** The customer account, or the wallet id for `wallet` accounts. */
    owner: text('owner').notNull(),
    side: ledgerSide('side').notNull(),
    /** Positive and exact; the side carries the direction. */
    amount: numeric('amount').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.postingKey, t.lineNo] }),
    index('ledger_lines_owner_idx').on(t.owner, t.accountKind),
    check('ledger_lines_amount_positive', sql`${t.amount} > 0`),
  ],
);
