// Postings: the only thing the ledger stores. A posting is a set of lines whose debits equal its
// credits, identified by an idempotency key derived from business identity, so the database's unique
// constraint on the key makes every retried write a no-op (DESIGN.md invariants 1 and 2). Amounts
// are decimal strings, exact (rated amounts keep sub-cent digits); nothing here rounds.
import { DomainError } from '../errors';
import { ZERO, formatPlain, isDecimalString, money, type Money } from '../money';
import { accountKey, isAccountKind, type LedgerAccount } from './accounts';

export type Side = 'debit' | 'credit';

export interface PostingLine {
  readonly account: LedgerAccount;
  readonly side: Side;
  /** Positive decimal string, exact; the side carries the direction. */
  readonly amount: string;
}

/**
 * Business facts about what a posting is for, used to group invoice lines and to list the records
 * behind them. All optional: a period charge has no recordId, a wallet top-up has no service.
 */
export interface PostingAttributes {
  readonly recordId?: string;
  readonly subscriptionId?: string;
  readonly service?: string;
  readonly category?: string;
  readonly item?: string;
  /** Usage quantity in `unit`, as rated (a reversal counts it negative on an invoice). */
  readonly quantity?: string;
  readonly unit?: string;
  readonly periodStartAt?: string;
  readonly periodEndAt?: string;
  readonly walletTransactionId?: string;
  readonly invoiceId?: string;
}

/** original: first posting of an entry; reversal: exact mirror of a live posting; revision: re-post after a reversal. */
export type PostingKind = 'original' | 'reversal' | 'revision';

export interface Posting {
  /** Idempotency key, unique in the ledger (see postingKey). */
  readonly key: string;
  /** The business identity the posting belongs to, e.g. "record:r1:charge"; corrections share it. */
  readonly entry: string;
  readonly kind: PostingKind;
  /** 0 for the original; n for the n-th reversal and the revision that follows it. */
  readonly revision: number;
  /** For a reversal: the key of the posting it mirrors. */
  readonly reverses: string | null;
  readonly currency: string;
  /** Business date (ISO instant): usage time or billing effective date; invoices cut off on it. */
  readonly effectiveAt: string;
  readonly lines: readonly PostingLine[];
  readonly attributes: PostingAttributes;
}

/** What should exist for one entry of a scope; postingDelta turns the difference into postings. */
export interface IntendedEntry {
  readonly entry: string;
  readonly currency: string;
  readonly effectiveAt: string;
  /** May be empty (or all zero): then nothing should be posted for the entry. */
  readonly lines: readonly PostingLine[];
  readonly attributes: PostingAttributes;
}

/**
 * The idempotency key of a posting. Original: the entry itself ("record:r1:charge",
 * "period:sub-1:2024-03-01T00:00:00.000Z", "invoice:inv-7"); the n-th correction:
 * "{entry}:reversal:{n}" and "{entry}:revision:{n}".
 */
export function postingKey(entry: string, kind: PostingKind, revision: number): string {
  switch (kind) {
    case 'original':
      return entry;
    case 'reversal':
      return `${entry}:reversal:${revision}`;
    case 'revision':
      return `${entry}:revision:${revision}`;
  }
}

/** Entry identities, one builder per business object so keys are spelled in one place. */
export const entryKeys = {
  recordCharge: (recordId: string): string => `record:${recordId}:charge`,
  periodCharge: (subscriptionId: string, periodStartAt: string): string => `period:${subscriptionId}:${periodStartAt}`,
  invoice: (invoiceId: string): string => `invoice:${invoiceId}`,
  creditNote: (creditNoteId: string): string => `credit-note:${creditNoteId}`,
  walletTransaction: (walletId: string, transactionId: string): string => `wallet:${walletId}:tx:${transactionId}`,
};

/** A debit line for a positive amount, a credit line for a negative one; null for zero. */
export function signedLine(account: LedgerAccount, signedAmount: Money): PostingLine | null {
  if (signedAmount.isZero()) return null;
  return signedAmount.isPositive()
    ? { account, side: 'debit', amount: formatPlain(signedAmount) }
    : { account, side: 'credit', amount: formatPlain(signedAmount.negated()) };
}

/** Lines moving `amount` from `creditAccount` to `debitAccount` (swapped when the amount is negative); debit first. */
export function transferLines(debitAccount: LedgerAccount, creditAccount: LedgerAccount, amount: Money): PostingLine[] {
  const lines = [signedLine(debitAccount, amount), signedLine(creditAccount, amount.negated())];
  // Debit line first, whatever the sign, so postings read the same way in every listing.
  return lines.filter((line): line is PostingLine => line !== null).sort((a, b) => (a.side === b.side ? 0 : a.side === 'debit' ? -1 : 1));
}

/** Debit positive, credit negative. */
export function signedAmount(line: PostingLine): Money {
  const amount = money(line.amount);
  return line.side === 'debit' ? amount : amount.negated();
}

/**
 * Refuses a malformed posting: INVALID_POSTING (no lines, unknown account kind, amount not a positive
 * decimal string) or UNBALANCED_POSTING (debits differ from credits; the details carry both sums).
 */
export function validateLines(entry: string, lines: readonly PostingLine[], allowEmpty = false): void {
  if (lines.length === 0 && !allowEmpty) throw new DomainError('INVALID_POSTING', `posting ${entry} has no lines`, { entry });
  let debits = ZERO;
  let credits = ZERO;
  for (const line of lines) {
    if (!isAccountKind(line.account.kind)) {
      throw new DomainError('INVALID_POSTING', `posting ${entry}: unknown account kind ${String(line.account.kind)}`, { entry });
    }
    if (!isDecimalString(line.amount) || !money(line.amount).greaterThan(0)) {
      throw new DomainError('INVALID_POSTING', `posting ${entry}: line amount must be a positive decimal string, got ${String(line.amount)}`, { entry });
    }
    if (line.side === 'debit') debits = debits.plus(money(line.amount));
    else credits = credits.plus(money(line.amount));
  }
  if (!debits.equals(credits)) {
    throw new DomainError('UNBALANCED_POSTING', `posting ${entry} is unbalanced: debits ${formatPlain(debits)} != credits ${formatPlain(credits)}`, {
      entry,
      debits: formatPlain(debits),
      credits: formatPlain(credits),
    });
  }
}

/** Validates a stored or proposed posting (see validateLines). */
export function validatePosting(posting: Posting): void {
  validateLines(posting.key, posting.lines);
}

/** Net signed amount per account key over `postings`, zero balances dropped. */
export function balances(postings: Iterable<Posting>): Map<string, Money> {
  const totals = new Map<string, Money>();
  for (const posting of postings) {
    for (const line of posting.lines) {
      const key = accountKey(line.account);
      totals.set(key, (totals.get(key) ?? ZERO).plus(signedAmount(line)));
    }
  }
  for (const [key, value] of totals) if (value.isZero()) totals.delete(key);
  return totals;
}

/** Net balance of one account ("0" when untouched), debit positive. */
export function balanceOf(postings: Iterable<Posting>, account: LedgerAccount): Money {
  return balances(postings).get(accountKey(account)) ?? ZERO;
}
