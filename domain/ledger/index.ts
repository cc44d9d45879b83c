// The ledger's public surface: accounts, postings and their keys, and the posting delta.
export { ACCOUNT_KINDS, accountKey, isAccountKind, type AccountKind, type LedgerAccount } from './accounts';
export {
  balanceOf,
  balances,
  entryKeys,
  postingKey,
  signedAmount,
  signedLine,
  transferLines,
  validateLines,
  validatePosting,
  type IntendedEntry,
  type Posting,
  type PostingAttributes,
  type PostingKind,
  type PostingLine,
  type Side,
} from './posting';
export { livePostings, postingDelta } from './delta';
