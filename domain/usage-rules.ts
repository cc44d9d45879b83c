import { money } from './money';

// A provider's usage rule for a product (our answer to SPEC open question 6): a file is accepted
// automatically when auto-accept is on and every limit that is set holds; otherwise it waits for a
// person. Amounts are compared exactly as decimals; ages in whole milliseconds against `asOf`.

export interface UsageRule {
  autoAccept: boolean;
  /** Decimal string: the file's total amount must be below it. */
  maxTotalAmount: string | null;
  /** The file's record count must be below it. */
  maxRecords: number | null;
  /** No record may start more than this many days before `asOf`. */
  maxAgeDays: number | null;
}

export interface FileTotals {
  recordCount: number;
  /** Sum of record amounts as a decimal string ('0' under QT). */
  totalAmount: string;
  /** ISO instant of the earliest record start; null with no records. */
  oldestStartAt: string | null;
}

export type RuleOutcome = { accept: true; reason: string } | { accept: false; reason: string };

const DAY_MS = 86_400_000;

export function evaluateUsageRule(rule: UsageRule | null, totals: FileTotals, asOf: string): RuleOutcome {
  if (!rule?.autoAccept) return { accept: false, reason: 'no automatic acceptance rule' };
  if (rule.maxTotalAmount !== null && !money(totals.totalAmount).lessThan(rule.maxTotalAmount)) {
    return { accept: false, reason: `total amount ${totals.totalAmount} is not below ${rule.maxTotalAmount}` };
  }
  if (rule.maxRecords !== null && totals.recordCount >= rule.maxRecords) {
    return { accept: false, reason: `${totals.recordCount} records is not below ${rule.maxRecords}` };
  }
  if (rule.maxAgeDays !== null && totals.oldestStartAt !== null) {
    const ageMs = Date.parse(asOf) - Date.parse(totals.oldestStartAt);
    if (ageMs > rule.maxAgeDays * DAY_MS) return { accept: false, reason: `a record starts more than ${rule.maxAgeDays} days before ${asOf}` };
  }
  return { accept: true, reason: 'accepted by the provider usage rule' };
}
