// Billing directives and record actions (SPEC §2.3, §5 items 24-27), as a table plus pure functions.
// A record's charge is one ledger entry ("record:{id}:charge"); every action only changes the
// record's billing facts, and the postings follow from postingDelta: on a charged record any change
// reverses the live charge with exactly opposite value and, where due, posts the new charge, which
// the next billing run invoices. Nothing is edited in place.
import { DomainError, IllegalTransitionError } from '../errors';
import { entryKeys, postingDelta, transferLines, type IntendedEntry, type LedgerAccount, type Posting } from '../ledger';
import { isDecimalString, money } from '../money';
import { parseInstant } from '../rating/calendar';

export const LIFE_CYCLES = ['SCHEDULED', 'POSTED', 'CANCELLED'] as const;
export type LifeCycle = (typeof LIFE_CYCLES)[number];
export const BILLING_DIRECTIVES = ['TO_BE_BILLED', 'TO_BE_CREDITED', 'NOT_TO_BE_BILLED'] as const;
export type BillingDirective = (typeof BILLING_DIRECTIVES)[number];
export type RatingState = 'PENDING' | 'COMPLETED';

/** The billing facts of one rated (or to-be-rated) postpaid usage record. Plain JSON. */
export interface RecordBilling {
  readonly recordId: string;
  /** The customer account whose ledger the charge goes to. */
  readonly accountId: string;
  readonly subscriptionId: string;
  readonly currency: string;
  readonly lifeCycle: LifeCycle;
  readonly directive: BillingDirective;
  readonly ratingState: RatingState;
  /** Rated amount, exact (sub-cent digits kept), as rated; null while rating is PENDING. */
  readonly amount: string | null;
  /** ISO instant the charge belongs to; invoices cut off on it. */
  readonly billingEffectiveAt: string;
  readonly service: string;
  readonly category: string;
  readonly item: string;
  /** Usage quantity in `unit`. */
  readonly quantity: string;
  readonly unit: string;
}

/** What Adjust may change (never life cycle or directive, SPEC §2.3). */
export interface RecordAdjustment {
  readonly quantity?: string;
  readonly service?: string;
  readonly item?: string;
  readonly category?: string;
  readonly billingEffectiveAt?: string;
}

export type BillingAction =
  | { readonly kind: 'setBillable' }
  | { readonly kind: 'setCreditable' }
  | { readonly kind: 'setNotToBeBilled' }
  | { readonly kind: 'adjust'; readonly changes: RecordAdjustment }
  | { readonly kind: 'cancel' }
  /** Rating (billing run or threshold): the amount the engine rated, exact. */
  | { readonly kind: 'rate'; readonly amount: string };
export type BillingActionKind = BillingAction['kind'];

interface ActionRule {
  readonly lifeCycles: readonly LifeCycle[];
  readonly ratingStates: readonly RatingState[];
  /** The directive a set-* action leads to; null for actions that keep it. */
  readonly directive: BillingDirective | null;
}

const ANY_RATING: readonly RatingState[] = ['PENDING', 'COMPLETED'];

/**
 * Which action is allowed from where. Cancelled is terminal: nothing applies, so a cancelled record
 * is never re-billed; there is no delete. Unbilled records may be cancelled (SPEC open question 8):
 * their charge is reversed like a billed one, and both land on the same next invoice, netting zero.
 */
export const billingActionRules = {
  setBillable: { lifeCycles: ['SCHEDULED', 'POSTED'], ratingStates: ANY_RATING, directive: 'TO_BE_BILLED' },
  setCreditable: { lifeCycles: ['SCHEDULED', 'POSTED'], ratingStates: ANY_RATING, directive: 'TO_BE_CREDITED' },
  setNotToBeBilled: { lifeCycles: ['SCHEDULED', 'POSTED'], ratingStates: ANY_RATING, directive: 'NOT_TO_BE_BILLED' },
  adjust: { lifeCycles: ['POSTED'], ratingStates: ANY_RATING, directive: null },
  cancel: { lifeCycles: ['SCHEDULED', 'POSTED'], ratingStates: ANY_RATING, directive: null },
  rate: { lifeCycles: ['POSTED'], ratingStates: ['PENDING'], directive: null },
} as const satisfies Record<BillingActionKind, ActionRule>;

function checkAllowed(record: RecordBilling, action: BillingAction): void {
  const rule: ActionRule = billingActionRules[action.kind];
  if (!rule.lifeCycles.includes(record.lifeCycle)) {
    throw new IllegalTransitionError(action.kind, record.lifeCycle, `Cannot ${action.kind} a usage record in life cycle ${record.lifeCycle}; allowed from ${rule.lifeCycles.join(', ')}`);
  }
  if (!rule.ratingStates.includes(record.ratingState)) {
    throw new IllegalTransitionError(action.kind, record.ratingState, `Cannot ${action.kind} a usage record whose rating is ${record.ratingState}`);
  }
  if (rule.directive !== null && rule.directive === record.directive) {
    throw new DomainError('DIRECTIVE_UNCHANGED', `record ${record.recordId} is already ${record.directive}`, {
      recordId: record.recordId,
      directive: record.directive,
    });
  }
}

function adjusted(record: RecordBilling, changes: RecordAdjustment): RecordBilling {
  const keys = Object.keys(changes) as Array<keyof RecordAdjustment>;
  const changed = keys.filter((key) => changes[key] !== undefined && changes[key] !== record[key]);
  if (changed.length === 0) throw new DomainError('NOTHING_TO_ADJUST', `adjustment of record ${record.recordId} changes nothing`, { recordId: record.recordId });
  if (changes.quantity !== undefined && !isDecimalString(changes.quantity)) {
    throw new DomainError('INVALID_ADJUSTMENT', `quantity must be a decimal string, got ${changes.quantity}`, { recordId: record.recordId });
  }
  if (changes.billingEffectiveAt !== undefined && parseInstant(changes.billingEffectiveAt) === null) {
    throw new DomainError('INVALID_ADJUSTMENT', `billingEffectiveAt must be an ISO instant, got ${changes.billingEffectiveAt}`, { recordId: record.recordId });
  }
  // The adjusted record is rated again later (SPEC §2.3): until then it has no charge.
  return { ...record, ...changes, ratingState: 'PENDING', amount: null };
}

/** The record after `action`; throws ILLEGAL_TRANSITION, DIRECTIVE_UNCHANGED, NOTHING_TO_ADJUST, INVALID_ADJUSTMENT. */
export function nextRecordBilling(record: RecordBilling, action: BillingAction): RecordBilling {
  checkAllowed(record, action);
  switch (action.kind) {
    case 'setBillable':
    case 'setCreditable':
    case 'setNotToBeBilled':
      return { ...record, directive: billingActionRules[action.kind].directive };
    case 'adjust':
      return adjusted(record, action.changes);
    case 'cancel':
      return { ...record, lifeCycle: 'CANCELLED' };
    case 'rate':
      if (!isDecimalString(action.amount)) throw new DomainError('INVALID_AMOUNT', `rated amount must be a decimal string, got ${action.amount}`);
      return { ...record, ratingState: 'COMPLETED', amount: action.amount };
  }
}

/**
 * The charge entry a record should have: TO_BE_BILLED debits unbilled and credits revenue by the
 * rated amount; TO_BE_CREDITED the opposite; none when NOT_TO_BE_BILLED, CANCELLED, SCHEDULED, not
 * rated, or rated zero. Exact amounts; the invoice rounds.
 */
export function recordChargeEntry(record: RecordBilling): IntendedEntry | null {
  if (record.lifeCycle !== 'POSTED' || record.ratingState !== 'COMPLETED' || record.amount === null) return null;
  if (record.directive === 'NOT_TO_BE_BILLED') return null;
  const rated = money(record.amount);
  const signed = record.directive === 'TO_BE_BILLED' ? rated : rated.negated();
  const unbilled: LedgerAccount = { kind: 'unbilled', owner: record.accountId };
  const revenue: LedgerAccount = { kind: 'revenue', owner: record.accountId };
  const lines = transferLines(unbilled, revenue, signed);
  if (lines.length === 0) return null;
  return {
    entry: entryKeys.recordCharge(record.recordId),
    currency: record.currency,
    effectiveAt: record.billingEffectiveAt,
    lines,
    attributes: {
      recordId: record.recordId,
      subscriptionId: record.subscriptionId,
      service: record.service,
      category: record.category,
      item: record.item,
      quantity: record.quantity,
      unit: record.unit,
    },
  };
}

/**
 * The postings that bring the record's charge entry in line with the record (nothing if it already
 * is). `posted` may hold other postings too; only the record's own entry is its scope, so passing an
 * account's whole ledger never reverses anything else.
 */
export function recordPostings(record: RecordBilling, posted: readonly Posting[]): Posting[] {
  const entryKey = entryKeys.recordCharge(record.recordId);
  const entry = recordChargeEntry(record);
  return postingDelta(entry ? [entry] : [], posted.filter((posting) => posting.entry === entryKey));
}

/**
 * Applies a billing action and returns the record after it and the postings it implies, given the
 * postings already in the ledger for this record's charge entry.
 */
export function applyBillingAction(
  record: RecordBilling,
  action: BillingAction,
  postedForRecord: readonly Posting[],
): { record: RecordBilling; postings: Posting[] } {
  const next = nextRecordBilling(record, action);
  return { record: next, postings: recordPostings(next, postedForRecord) };
}

/** The actions a person may take now (rating is the system's). */
export function allowedBillingActions(record: RecordBilling): BillingActionKind[] {
  return (Object.keys(billingActionRules) as BillingActionKind[]).filter((kind) => {
    if (kind === 'rate') return false;
    const rule: ActionRule = billingActionRules[kind];
    return rule.lifeCycles.includes(record.lifeCycle) && rule.ratingStates.includes(record.ratingState) && rule.directive !== record.directive;
  });
}
