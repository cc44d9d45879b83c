// The chart of accounts of the usage ledger. Each customer account (the `owner`) has its own set, so
// a balance is always "kind of account x owner x currency". Signs: a debit is positive, a credit is
// negative, everywhere in this module (one convention, so sums need no per-kind table).

export const ACCOUNT_KINDS = [
  /** Asset: rated charges not yet on an invoice (accrued receivable). Invoices move it to `receivable`. */
  'unbilled',
  /** Asset: what the customer owes on final invoices. */
  'receivable',
  /** Income: usage revenue; credits and reimbursements debit it. */
  'revenue',
  /** Liability: prepaid funds held for the customer; a usage debit debits it. */
  'wallet',
  /** Liability: credit notes owed to the customer, not yet applied. */
  'credit',
  /** Asset: money received (wallet top-ups, payments); the other side of a top-up. */
  'cash',
  /** Income/expense: the difference between exact rated amounts and the rounded invoice total. */
  'rounding',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export interface LedgerAccount {
  readonly kind: AccountKind;
  /** The customer account (or wallet id for `wallet`) the ledger account belongs to. */
  readonly owner: string;
}

/** Canonical text of an account ("unbilled:acc-1"), the key balances are kept under. */
export function accountKey(account: LedgerAccount): string {
  return `${account.kind}:${account.owner}`;
}

export function isAccountKind(value: string): value is AccountKind {
  return (ACCOUNT_KINDS as readonly string[]).includes(value);
}
