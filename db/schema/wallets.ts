import { sql } from 'drizzle-orm';
import { bigserial, check, index, jsonb, numeric, pgEnum, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { WALLET_TRANSACTION_KINDS, type AutoTopUp } from '../../domain/billing';
import { ledgerPostings } from './ledger';
import { parties } from './parties';

// Prepaid wallets (SPEC §2.5, item 29). The balance can never go below zero: a CHECK refuses it
// whatever the code does, and debits are a guarded `update ... where balance >= amount`. A
// transaction's id is its idempotency key within the wallet, so a retried top-up or debit is a no-op.

export const wallets = pgTable(
  'wallets',
  {
    id: text('id').primaryKey(),
    ownerPartyId: text('owner_party_id').notNull().references(() => parties.id),
    /** The customer account whose cash and revenue accounts take the other side of wallet postings. */
    accountId: text('account_id').notNull(),
    currency: text('currency').notNull(),
    balance: numeric('balance').notNull().default('0'),
    lowBalanceThreshold: numeric('low_balance_threshold'),
    /** Where LOW_BALANCE notifications are mailed; null: recorded in wallet_events only. */
    notifyEmail: text('notify_email'),
    autoTopUp: jsonb('auto_top_up').$type<AutoTopUp>(),
    /** The creator's Idempotency-Key: a repeated create returns the same wallet. */
    createdBy: text('created_by').notNull(),
    creationKey: text('creation_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('wallets_balance_non_negative', sql`${t.balance} >= 0`),
    uniqueIndex('wallets_creation_key').on(t.createdBy, t.creationKey),
    index('wallets_owner_idx').on(t.ownerPartyId),
  ],
);

export const walletTransactionKind = pgEnum('wallet_transaction_kind', WALLET_TRANSACTION_KINDS);

export const walletTransactions = pgTable(
  'wallet_transactions',
  {
    walletId: text('wallet_id').notNull().references(() => wallets.id),
    /** The idempotency key of the transaction, unique within its wallet. */
    id: text('id').notNull(),
    kind: walletTransactionKind('kind').notNull(),
    amount: numeric('amount').notNull(),
    balanceAfter: numeric('balance_after').notNull(),
    /** The debit a reimburse gives back, the transaction a void undoes. */
    targetTransactionId: text('target_transaction_id'),
    recordId: text('record_id'),
    /** Its ledger posting, written in the same database transaction (before this row). */
    postingKey: text('posting_key').notNull().references(() => ledgerPostings.key),
    /** Order of application (transactions of one database transaction share created_at). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    effectiveAt: timestamp('effective_at', { withTimezone: true, mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.walletId, t.id] }),
    check('wallet_transactions_amount_positive', sql`${t.amount} > 0`),
    check('wallet_transactions_balance_after_non_negative', sql`${t.balanceAfter} >= 0`),
    // A transaction is voided at most once, whatever races.
    uniqueIndex('wallet_transactions_void_once').on(t.walletId, t.targetTransactionId).where(sql`${t.kind} = 'void'`),
  ],
);

/**
 * Outbox of wallet notifications (LOW_BALANCE, AUTO_TOP_UP), one per transaction and code. A
 * LOW_BALANCE of a wallet with a notification address also writes its mail to mail_outbox in the same
 * transaction; deliveredAt is set when that mail is sent.
 */
export const walletEvents = pgTable(
  'wallet_events',
  {
    id: serial('id').primaryKey(),
    walletId: text('wallet_id').notNull().references(() => wallets.id),
    transactionId: text('transaction_id').notNull(),
    code: text('code').notNull(),
    payload: jsonb('payload').$type<Record<string, string>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('wallet_events_once').on(t.walletId, t.transactionId, t.code)],
);
