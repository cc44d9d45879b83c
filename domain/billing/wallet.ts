// Prepaid wallets (SPEC §2.5, §5 item 29). A usage order is debited at once when rated; a debit the
// balance cannot cover is refused (INSUFFICIENT_FUNDS), so the balance never goes below zero
// (balance 12.00, order 10.00 leaves 2.00; balance 8.00 refuses 10.00). Amounts are exact decimal
// strings (rated amounts keep sub-cent digits); nothing is rounded here. Each transaction implies one
// posting keyed "wallet:{walletId}:tx:{transactionId}", so a retried transaction posts nothing twice.
import { DomainError } from '../errors';
import { entryKeys, postingDelta, transferLines, type LedgerAccount, type Posting } from '../ledger';
import { formatPlain, isDecimalString, money, type Money } from '../money';
import { formatAtOperandScale } from './amounts';

export const WALLET_TRANSACTION_KINDS = ['credit', 'debit', 'reimburse', 'void', 'transfer'] as const;
export type WalletTransactionKind = (typeof WALLET_TRANSACTION_KINDS)[number];

/** Fires after a transaction leaves the balance strictly below `belowAmount`. */
export type AutoTopUp =
  | { readonly belowAmount: string; readonly mode: 'toTarget'; readonly targetAmount: string }
  | { readonly belowAmount: string; readonly mode: 'byAmount'; readonly amount: string };

export interface Wallet {
  readonly walletId: string;
  /** The customer account; its cash and revenue accounts take the other side of wallet postings. */
  readonly accountId: string;
  readonly currency: string;
  /** Never negative. */
  readonly balance: string;
  /** A LOW_BALANCE notification when a transaction takes the balance from >= this to below it. */
  readonly lowBalanceThreshold: string | null;
  readonly autoTopUp: AutoTopUp | null;
}

/** A transaction being voided or reimbursed, as stored. */
export interface WalletTransactionRef {
  readonly transactionId: string;
  readonly kind: 'credit' | 'debit';
  readonly amount: string;
  readonly voided: boolean;
  /** Sum already reimbursed (debits only). */
  readonly reimbursedAmount: string;
}

export type WalletTransaction =
  /** Funds in (payment, top-up). */
  | { readonly kind: 'credit'; readonly transactionId: string; readonly amount: string }
  /** Usage charged to the wallet (a prepaid record, rated). */
  | { readonly kind: 'debit'; readonly transactionId: string; readonly amount: string; readonly recordId?: string }
  /** Gives back part or all of a debit (a cancelled or corrected prepaid record). */
  | { readonly kind: 'reimburse'; readonly transactionId: string; readonly amount: string; readonly target: WalletTransactionRef }
  /** Undoes a credit or a debit entirely (what is left of it after reimbursements). */
  | { readonly kind: 'void'; readonly transactionId: string; readonly target: WalletTransactionRef };

export type WalletNotification = { readonly code: 'LOW_BALANCE'; readonly balance: string; readonly threshold: string };

export interface WalletOutcome {
  readonly wallet: Wallet;
  readonly postings: Posting[];
  readonly notifications: WalletNotification[];
  /** An automatic top-up to request (charging the payment method is I/O, then a credit is applied). */
  readonly topUp: { readonly amount: string; readonly requestKey: string } | null;
}

function positive(value: string, what: string): Money {
  if (!isDecimalString(value) || !money(value).greaterThan(0)) {
    throw new DomainError('INVALID_AMOUNT', `${what} must be a positive decimal string, got ${value}`, { value });
  }
  return money(value);
}

function refuseInsufficient(wallet: Wallet, amount: Money): never {
  throw new DomainError('INSUFFICIENT_FUNDS', `wallet ${wallet.walletId} holds ${wallet.balance}, cannot cover ${formatPlain(amount)}`, {
    walletId: wallet.walletId,
    balance: wallet.balance,
    amount: formatPlain(amount),
  });
}

function remainingOf(target: WalletTransactionRef): Money {
  if (target.voided) throw new DomainError('ALREADY_VOIDED', `transaction ${target.transactionId} is already void`, { transactionId: target.transactionId });
  return money(target.amount).minus(target.kind === 'debit' ? money(target.reimbursedAmount) : 0);
}

/** Signed change of the balance a transaction makes; throws when it is not allowed. */
function balanceChange(wallet: Wallet, tx: WalletTransaction): Money {
  switch (tx.kind) {
    case 'credit':
      return positive(tx.amount, 'credit amount');
    case 'debit':
      return positive(tx.amount, 'debit amount').negated();
    case 'reimburse': {
      const amount = positive(tx.amount, 'reimbursed amount');
      if (tx.target.kind !== 'debit') throw new DomainError('NOT_A_DEBIT', `only debits can be reimbursed; ${tx.target.transactionId} is a ${tx.target.kind}`);
      if (amount.greaterThan(remainingOf(tx.target))) {
        throw new DomainError('REIMBURSE_EXCEEDS_DEBIT', `reimbursing ${tx.amount} exceeds what is left of debit ${tx.target.transactionId}`, { transactionId: tx.target.transactionId });
      }
      return amount;
    }
    case 'void': {
      const remaining = remainingOf(tx.target);
      return tx.target.kind === 'credit' ? remaining.negated() : remaining;
    }
  }
}

function postingsFor(wallet: Wallet, tx: WalletTransaction, change: Money, effectiveAt: string): Posting[] {
  const walletAccount: LedgerAccount = { kind: 'wallet', owner: wallet.walletId };
  const reverts = (tx.kind === 'void' && tx.target.kind === 'credit') || tx.kind === 'credit';
  // Funds in/out of the wallet come from cash; usage and its refunds go to revenue.
  const other: LedgerAccount = { kind: reverts ? 'cash' : 'revenue', owner: wallet.accountId };
  const recordId = tx.kind === 'debit' ? tx.recordId : undefined;
  return postingDelta(
    [{
      entry: entryKeys.walletTransaction(wallet.walletId, tx.transactionId),
      currency: wallet.currency,
      effectiveAt,
      lines: transferLines(other, walletAccount, change),
      attributes: { walletTransactionId: tx.transactionId, ...(recordId === undefined ? {} : { recordId }) },
    }],
    [],
  );
}

function topUpFor(wallet: Wallet, balance: Money, transactionId: string): WalletOutcome['topUp'] {
  const rule = wallet.autoTopUp;
  if (!rule || !balance.lessThan(money(rule.belowAmount))) return null;
  const amount = rule.mode === 'toTarget' ? money(rule.targetAmount).minus(balance) : money(rule.amount);
  if (!amount.greaterThan(0)) return null;
  return { amount: formatPlain(amount), requestKey: `wallet:${wallet.walletId}:topup:${transactionId}` };
}

/**
 * Applies one transaction at `effectiveAt` (ISO instant): the new balance, the posting (wallet
 * against cash for credits, against revenue for usage), a LOW_BALANCE notification on crossing the
 * threshold downwards, and an automatic top-up request when the rule fires. Refusals, with nothing
 * changed: INSUFFICIENT_FUNDS, INVALID_AMOUNT, ALREADY_VOIDED, NOT_A_DEBIT, REIMBURSE_EXCEEDS_DEBIT.
 */
export function applyWalletTransaction(wallet: Wallet, tx: WalletTransaction, effectiveAt: string): WalletOutcome {
  const before = money(wallet.balance);
  const change = balanceChange(wallet, tx);
  const after = before.plus(change);
  if (after.isNegative() && !after.isZero()) refuseInsufficient(wallet, change.negated());
  const next: Wallet = { ...wallet, balance: formatAtOperandScale(after, wallet.balance, tx.kind === 'void' ? tx.target.amount : tx.amount) };
  const threshold = wallet.lowBalanceThreshold === null ? null : money(wallet.lowBalanceThreshold);
  const crossed = threshold !== null && before.greaterThanOrEqualTo(threshold) && after.lessThan(threshold);
  return {
    wallet: next,
    postings: postingsFor(wallet, tx, change, effectiveAt),
    notifications: crossed && threshold ? [{ code: 'LOW_BALANCE', balance: next.balance, threshold: formatPlain(threshold) }] : [],
    topUp: change.isNegative() ? topUpFor(wallet, after, tx.transactionId) : null,
  };
}

/**
 * Moves `amount` from one wallet to another of the same currency (kind "transfer"): refused with
 * INSUFFICIENT_FUNDS when the source cannot cover it, CURRENCY_MISMATCH across currencies.
 */
export function transferFunds(
  from: Wallet,
  to: Wallet,
  transactionId: string,
  amount: string,
  effectiveAt: string,
): { from: Wallet; to: Wallet; postings: Posting[] } {
  const value = positive(amount, 'transfer amount');
  if (from.currency !== to.currency) throw new DomainError('CURRENCY_MISMATCH', `cannot transfer ${from.currency} to a ${to.currency} wallet`);
  if (from.walletId === to.walletId) throw new DomainError('INVALID_TRANSFER', 'cannot transfer to the same wallet');
  const fromAfter = money(from.balance).minus(value);
  if (fromAfter.isNegative()) refuseInsufficient(from, value);
  const postings = postingDelta(
    [{
      entry: entryKeys.walletTransaction(from.walletId, transactionId),
      currency: from.currency,
      effectiveAt,
      lines: transferLines({ kind: 'wallet', owner: from.walletId }, { kind: 'wallet', owner: to.walletId }, value),
      attributes: { walletTransactionId: transactionId },
    }],
    [],
  );
  return {
    from: { ...from, balance: formatAtOperandScale(fromAfter, from.balance, amount) },
    to: { ...to, balance: formatAtOperandScale(money(to.balance).plus(value), to.balance, amount) },
    postings,
  };
}

export interface LowBalanceMailInput {
  readonly walletId: string;
  readonly currency: string;
  /** The balance the transaction left and the threshold it crossed, as the wallet writes them ("2.00", "5.00"). */
  readonly balance: string;
  readonly threshold: string;
  readonly transactionId: string;
  readonly effectiveAt: string;
}

/** The mail telling a wallet's notification address that a transaction took the balance below the threshold. */
export function lowBalanceMail(n: LowBalanceMailInput): { subject: string; text: string } {
  return {
    subject: `Low balance: prepaid wallet ${n.walletId} has ${n.balance} ${n.currency} left`,
    text: [
      `The balance of prepaid wallet ${n.walletId} fell below its low-balance threshold.`,
      '',
      `Balance: ${n.balance} ${n.currency}`,
      `Threshold: ${n.threshold} ${n.currency}`,
      `Transaction: ${n.transactionId}, effective ${n.effectiveAt}`,
      '',
      'Top the wallet up so that prepaid usage is not refused for insufficient funds.',
    ].join('\n'),
  };
}
