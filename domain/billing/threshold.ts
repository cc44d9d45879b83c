// Threshold billing (SPEC §2.5, §5 item 28): a normal billing term can force early billing when the
// unbilled records of a subscription reach a count or an amount. "Reach" is >=: the record that
// brings the count to the maximum, or the amount to the maximum, triggers (20th record with max 20;
// 105.00 against max 100.00, and exactly 100.00 too). Whichever limit is reached first wins.
import { DomainError } from '../errors';
import { ZERO, formatPlain, isDecimalString, money } from '../money';
import { formatAtOperandScale } from './amounts';

export interface ThresholdTerm {
  /** Maximum number of unbilled records; null: no count limit. */
  readonly maxUnbilledRecords: number | null;
  /** Maximum unbilled amount (decimal string, exact); null: no amount limit. */
  readonly maxUnbilledAmount: string | null;
}

/** The subscription's unbilled charges before the new record: how many, and their exact net amount. */
export interface UnbilledSummary {
  readonly recordCount: number;
  readonly amount: string;
}

export type ThresholdReason = 'COUNT' | 'AMOUNT';

export interface ThresholdDecision {
  /** true: bill every unbilled record of the subscription now (threshold billing workflow). */
  readonly trigger: boolean;
  readonly reasons: readonly ThresholdReason[];
  /** After adding the new record. */
  readonly unbilledRecords: number;
  /** Exact net amount after adding the new record; what the early invoice bills, before its rounding. */
  readonly unbilledAmount: string;
}

function checkTerm(term: ThresholdTerm): void {
  if (term.maxUnbilledRecords !== null && (!Number.isInteger(term.maxUnbilledRecords) || term.maxUnbilledRecords < 1)) {
    throw new DomainError('INVALID_THRESHOLD', `maxUnbilledRecords must be a positive integer, got ${term.maxUnbilledRecords}`);
  }
  if (term.maxUnbilledAmount !== null && (!isDecimalString(term.maxUnbilledAmount) || !money(term.maxUnbilledAmount).greaterThan(0))) {
    throw new DomainError('INVALID_THRESHOLD', `maxUnbilledAmount must be a positive decimal string, got ${term.maxUnbilledAmount}`);
  }
}

/**
 * Whether the record rated at `recordAmount` (signed: credits are negative and count toward the
 * count but lower the amount) makes the subscription's unbilled charges reach a limit (>=).
 */
export function evaluateThreshold(term: ThresholdTerm, before: UnbilledSummary, recordAmount: string): ThresholdDecision {
  checkTerm(term);
  const unbilledRecords = before.recordCount + 1;
  const unbilledAmount = money(before.amount).plus(money(recordAmount));
  const reasons: ThresholdReason[] = [];
  if (term.maxUnbilledRecords !== null && unbilledRecords >= term.maxUnbilledRecords) reasons.push('COUNT');
  if (term.maxUnbilledAmount !== null && unbilledAmount.greaterThanOrEqualTo(money(term.maxUnbilledAmount))) reasons.push('AMOUNT');
  return { trigger: reasons.length > 0, reasons, unbilledRecords, unbilledAmount: formatAtOperandScale(unbilledAmount, before.amount, recordAmount) };
}

/**
 * Replays records rated in order from nothing unbilled: the index of the first record that
 * triggers (or null) with its decision. After a trigger everything is billed, so counting restarts.
 */
export function firstThresholdTrigger(term: ThresholdTerm, recordAmounts: readonly string[]): { index: number; decision: ThresholdDecision } | null {
  let summary: UnbilledSummary = { recordCount: 0, amount: formatPlain(ZERO) };
  for (const [index, amount] of recordAmounts.entries()) {
    const decision = evaluateThreshold(term, summary, amount);
    if (decision.trigger) return { index, decision };
    summary = { recordCount: decision.unbilledRecords, amount: decision.unbilledAmount };
  }
  return null;
}
