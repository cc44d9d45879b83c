import { randomUUID } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type postgres from 'postgres';
import { applyWalletTransaction, lowBalanceMail, type AutoTopUp, type Wallet, type WalletTransaction } from '../../domain/billing';
import { DomainError, NotFoundError } from '../../domain/errors';
import { decimalsOf, formatFixed, money } from '../../domain/money';
import type { DbOrTx } from '../client';
import { walletEvents, wallets, walletTransactions } from '../schema';
import { insertPostings, type SqlOrTx } from './ledger';

// Wallet transactions are applied in one database transaction: lock the wallet row, decide with the
// pure domain (domain/billing/wallet.ts), then a guarded balance update, the transaction row, its
// ledger posting and its notifications, with the LOW_BALANCE mail in mail_outbox when the wallet has
// a notification address (the walletNotifications workflow sends it). A refusal changes nothing; a
// retried transaction id returns the stored transaction and changes nothing (DESIGN.md invariant 1).

export type WalletRow = typeof wallets.$inferSelect;
/** A stored wallet transaction as plain JSON (amounts exact, instants ISO). */
export interface WalletTransactionRow {
  walletId: string;
  id: string;
  kind: (typeof walletTransactions.$inferSelect)['kind'];
  amount: string;
  balanceAfter: string;
  targetTransactionId: string | null;
  recordId: string | null;
  postingKey: string;
  effectiveAt: string;
  createdAt: string;
}

const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const TRANSACTION_COLUMNS = `wallet_id as "walletId", id, kind, amount::text, balance_after::text as "balanceAfter",
  target_transaction_id as "targetTransactionId", record_id as "recordId", posting_key as "postingKey",
  ${iso('effective_at')} as "effectiveAt", ${iso('created_at')} as "createdAt"`;

export interface NewWallet {
  ownerPartyId: string;
  accountId: string;
  currency: string;
  lowBalanceThreshold: string | null;
  autoTopUp: AutoTopUp | null;
  /** Where LOW_BALANCE notifications are mailed (default: none). */
  notifyEmail?: string | null;
  createdBy: string;
  creationKey: string | null;
}

/** Creates a wallet (balance 0); with a creation key, a repeated create returns the first wallet. */
export async function createWallet(db: DbOrTx, input: NewWallet): Promise<{ wallet: WalletRow; created: boolean }> {
  const [row] = await db.insert(wallets).values({ id: `WA-${randomUUID()}`, ...input }).onConflictDoNothing().returning();
  if (row) return { wallet: row, created: true };
  const [existing] = await db.select().from(wallets)
    .where(and(eq(wallets.createdBy, input.createdBy), eq(wallets.creationKey, input.creationKey ?? '')));
  if (!existing) throw new Error('wallet insert conflicted but no wallet has its creation key');
  return { wallet: existing, created: false };
}

export async function findWallet(db: DbOrTx, id: string): Promise<WalletRow | undefined> {
  const [row] = await db.select().from(wallets).where(eq(wallets.id, id));
  return row;
}

/** Sets (or, with null, clears) the address LOW_BALANCE notifications are mailed to from now on. */
export async function setWalletNotifyEmail(db: DbOrTx, id: string, notifyEmail: string | null): Promise<WalletRow | undefined> {
  const [row] = await db.update(wallets).set({ notifyEmail, updatedAt: new Date() }).where(eq(wallets.id, id)).returning();
  return row;
}

/** A wallet's transactions, oldest first. */
export async function listWalletTransactions(sql: SqlOrTx, walletId: string): Promise<WalletTransactionRow[]> {
  return sql.unsafe<WalletTransactionRow[]>(`select ${TRANSACTION_COLUMNS} from wallet_transactions where wallet_id = $1 order by seq`, [walletId]);
}

export async function listWalletEvents(db: DbOrTx, walletId: string) {
  return db.select().from(walletEvents).where(eq(walletEvents.walletId, walletId)).orderBy(asc(walletEvents.id));
}

/** What callers ask for; reimburse and void name their target, whose state is read under the lock. */
export type WalletRequest =
  | { kind: 'credit'; transactionId: string; amount: string }
  | { kind: 'debit'; transactionId: string; amount: string; recordId?: string }
  | { kind: 'reimburse'; transactionId: string; amount: string; targetTransactionId: string }
  | { kind: 'void'; transactionId: string; targetTransactionId: string };

export interface WalletApplied {
  transaction: WalletTransactionRow;
  /** False when the transaction id was already applied (a retry): nothing changed. */
  applied: boolean;
  /** The automatic top-up applied after it, if the rule fired. */
  topUp: WalletTransactionRow | null;
}

interface LockedWallet {
  id: string; account_id: string; currency: string; balance: string; low_balance_threshold: string | null; auto_top_up: AutoTopUp | null; notify_email: string | null;
}

/** The mail_outbox kind of LOW_BALANCE mails (file_id: the wallet, seq: the wallet_events id). */
export const LOW_BALANCE_MAIL_KIND = 'wallet-low-balance';

const toWallet = (w: LockedWallet): Wallet => ({
  walletId: w.id, accountId: w.account_id, currency: w.currency, balance: w.balance,
  lowBalanceThreshold: w.low_balance_threshold, autoTopUp: w.auto_top_up,
});

async function storedTransaction(tx: postgres.TransactionSql, walletId: string, id: string): Promise<WalletTransactionRow | undefined> {
  const [row] = await tx.unsafe<WalletTransactionRow[]>(`select ${TRANSACTION_COLUMNS} from wallet_transactions where wallet_id = $1 and id = $2`, [walletId, id]);
  return row;
}

/** The domain's view of a reimburse or void target: its amount, whether voided, what was reimbursed. */
async function targetOf(tx: postgres.TransactionSql, walletId: string, targetId: string) {
  const [row] = await tx<Array<{ kind: string; amount: string; voided: boolean; reimbursed: string }>>`
    select t.kind, t.amount::text,
      exists (select 1 from wallet_transactions v where v.wallet_id = t.wallet_id and v.target_transaction_id = t.id and v.kind = 'void') as voided,
      coalesce((select sum(r.amount) from wallet_transactions r where r.wallet_id = t.wallet_id and r.target_transaction_id = t.id and r.kind = 'reimburse'), 0)::text as reimbursed
    from wallet_transactions t where t.wallet_id = ${walletId} and t.id = ${targetId}`;
  if (!row) throw new NotFoundError('Wallet transaction', targetId);
  if (row.kind !== 'credit' && row.kind !== 'debit') throw new DomainError('NOT_A_DEBIT', `transaction ${targetId} is a ${row.kind}; only credits and debits can be voided or reimbursed`);
  return { transactionId: targetId, kind: row.kind, amount: row.amount, voided: row.voided, reimbursedAmount: row.reimbursed } as const;
}

async function toDomainTransaction(tx: postgres.TransactionSql, walletId: string, request: WalletRequest): Promise<WalletTransaction> {
  switch (request.kind) {
    case 'credit':
    case 'debit':
      return request;
    case 'reimburse':
      return { kind: 'reimburse', transactionId: request.transactionId, amount: request.amount, target: await targetOf(tx, walletId, request.targetTransactionId) };
    case 'void':
      return { kind: 'void', transactionId: request.transactionId, target: await targetOf(tx, walletId, request.targetTransactionId) };
  }
}

/** Whether a stored transaction is what the request asks (a void's amount is derived, so not compared). */
function sameRequest(stored: WalletTransactionRow, request: WalletRequest): boolean {
  if (stored.kind !== request.kind) return false;
  if ('targetTransactionId' in request && stored.targetTransactionId !== request.targetTransactionId) return false;
  return !('amount' in request) || money(stored.amount).equals(money(request.amount));
}

/** One transaction under the wallet lock, inside the caller's database transaction; returns the stored row (existing or new) and any automatic top-up. */
export async function applyLocked(tx: postgres.TransactionSql, walletId: string, request: WalletRequest, effectiveAt: string): Promise<WalletApplied> {
  const [locked] = await tx<LockedWallet[]>`
    select id, account_id, currency, balance::text, low_balance_threshold::text, auto_top_up, notify_email from wallets where id = ${walletId} for update`;
  if (!locked) throw new NotFoundError('Wallet', walletId);
  // Checked under the lock, so two concurrent requests with one id cannot both apply.
  const existing = await storedTransaction(tx, walletId, request.transactionId);
  if (existing) {
    if (!sameRequest(existing, request)) {
      throw new DomainError('IDEMPOTENCY_KEY_REUSED', `transaction ${request.transactionId} of wallet ${walletId} exists with other content`, { transactionId: request.transactionId });
    }
    const [topUp] = await tx<Array<{ id: string }>>`select id from wallet_transactions where wallet_id = ${walletId} and id = ${autoTopUpId(request.transactionId)}`;
    return { transaction: existing, applied: false, topUp: topUp ? (await storedTransaction(tx, walletId, topUp.id))! : null };
  }
  const domainTx = await toDomainTransaction(tx, walletId, request);
  const outcome = applyWalletTransaction(toWallet(locked), domainTx, effectiveAt); // a refusal throws: nothing written
  // Written at the scale of the balances, so numeric arithmetic keeps it (12.00 - 10.00 = 2.00).
  const delta = formatFixed(money(outcome.wallet.balance).minus(money(locked.balance)), Math.max(decimalsOf(outcome.wallet.balance), decimalsOf(locked.balance)));
  // Guarded relative update: even if the decision above were wrong, the balance cannot go below zero
  // (and the CHECK on wallets.balance backs this up).
  const [updated] = await tx<Array<{ balance: string }>>`
    update wallets set balance = balance + ${delta}::numeric, updated_at = now()
    where id = ${walletId} and balance + ${delta}::numeric >= 0 returning balance::text`;
  if (!updated) throw new DomainError('INSUFFICIENT_FUNDS', `wallet ${walletId} cannot cover the transaction`, { walletId, balance: locked.balance });
  const posting = outcome.postings[0];
  if (!posting) throw new Error(`wallet transaction ${request.transactionId} produced no posting`);
  const amount = 'amount' in request ? request.amount : delta.replace(/^-/, '');
  await insertPostings(tx, outcome.postings);
  await tx`insert into wallet_transactions (wallet_id, id, kind, amount, balance_after, target_transaction_id, record_id, posting_key, effective_at)
    values (${walletId}, ${request.transactionId}, ${request.kind}, ${amount}::numeric, ${updated.balance}::numeric,
      ${'targetTransactionId' in request ? request.targetTransactionId : null}, ${request.kind === 'debit' ? (request.recordId ?? null) : null},
      ${posting.key}, ${effectiveAt})`;
  for (const n of outcome.notifications) {
    const [event] = await tx<Array<{ id: number }>>`insert into wallet_events (wallet_id, transaction_id, code, payload)
      values (${walletId}, ${request.transactionId}, ${n.code}, ${JSON.stringify({ balance: n.balance, threshold: n.threshold })}::jsonb) on conflict do nothing returning id`;
    if (event && locked.notify_email) {
      const mail = lowBalanceMail({
        walletId, currency: locked.currency, balance: n.balance, threshold: locked.low_balance_threshold ?? n.threshold, transactionId: request.transactionId, effectiveAt,
      });
      await tx`insert into mail_outbox (file_id, kind, seq, recipient, subject, body)
        values (${walletId}, ${LOW_BALANCE_MAIL_KIND}, ${event.id}, ${locked.notify_email}, ${mail.subject}, ${mail.text}) on conflict do nothing`;
    }
  }
  let topUp: WalletTransactionRow | null = null;
  if (outcome.topUp) {
    await tx`insert into wallet_events (wallet_id, transaction_id, code, payload)
      values (${walletId}, ${request.transactionId}, 'AUTO_TOP_UP', ${JSON.stringify({ amount: outcome.topUp.amount, requestKey: outcome.topUp.requestKey })}::jsonb) on conflict do nothing`;
    // Applied in the same database transaction, so a crash cannot leave the debit without its top-up.
    const credit: WalletRequest = { kind: 'credit', transactionId: autoTopUpId(request.transactionId), amount: outcome.topUp.amount };
    topUp = (await applyLocked(tx, walletId, credit, effectiveAt)).transaction;
  }
  const row = await storedTransaction(tx, walletId, request.transactionId);
  return { transaction: row!, applied: true, topUp };
}

/** The id of the automatic top-up a transaction triggered. */
export const autoTopUpId = (transactionId: string) => `auto-top-up:${transactionId}`;

/**
 * Applies a wallet transaction at `effectiveAt` (ISO instant) in one database transaction with its
 * ledger posting and notifications (LOW_BALANCE on crossing the threshold downwards). A debit the
 * balance cannot cover is refused with INSUFFICIENT_FUNDS and nothing changes. When the automatic
 * top-up rule fires, the top-up is applied as a credit `auto-top-up:{transactionId}` in the same
 * database transaction (a top-up never covers the order that triggered it: the order is decided
 * first); the payment behind it is settled from the AUTO_TOP_UP outbox event.
 */
export async function applyWalletRequest(sql: postgres.Sql, walletId: string, request: WalletRequest, effectiveAt: string): Promise<WalletApplied> {
  return sql.begin((tx) => applyLocked(tx, walletId, request, effectiveAt));
}

export interface PendingWalletMail { walletId: string; seq: number; recipient: string; subject: string; body: string }

/** The oldest wallet mail not sent yet, locked until the caller's transaction ends (a concurrent sender skips it), or none. */
export async function nextWalletMail(tx: postgres.TransactionSql): Promise<PendingWalletMail | undefined> {
  const [row] = await tx<PendingWalletMail[]>`
    select file_id as "walletId", seq, recipient, subject, body from mail_outbox
    where kind = ${LOW_BALANCE_MAIL_KIND} and sent_at is null order by created_at, seq limit 1 for update skip locked`;
  return row;
}

/** Records a wallet mail as sent and its notification as delivered. */
export async function markWalletMailSent(tx: postgres.TransactionSql, mail: PendingWalletMail): Promise<void> {
  await tx`update mail_outbox set sent_at = now() where file_id = ${mail.walletId} and kind = ${LOW_BALANCE_MAIL_KIND} and seq = ${mail.seq}`;
  await tx`update wallet_events set delivered_at = now() where id = ${mail.seq} and wallet_id = ${mail.walletId}`;
}
