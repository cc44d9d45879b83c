// Period charges into the ledger. Records rated one by one are posted per record
// ("record:{id}:charge"), which is what directives, threshold billing and the itemised statement
// need; so at period close only the lines that exist at period level are posted: charges of
// deferred pricing models (tiers, packages, quotas...), period discounts and the minimum-commitment
// true-up. The "usage" lines of computePeriodCharges are sums of records already posted, and posting
// them again would bill them twice. Re-running the close posts only the difference (postingDelta).
import { entryKeys, postingDelta, transferLines, type IntendedEntry, type Posting } from '../ledger';
import { money } from '../money';
import type { ChargeLine, PeriodCharges } from '../rating/period';

export interface PeriodClose {
  readonly accountId: string;
  readonly subscriptionId: string;
  readonly periodStartAt: string;
  readonly periodEndAt: string;
  /** computePeriodCharges' result for the period (amounts rounded per line by the plan). */
  readonly charges: PeriodCharges;
}

/** Entry identity of one period line: "period:{subscription}:{start}:{lineId}". */
export function periodLineEntry(subscriptionId: string, periodStartAt: string, lineId: string): string {
  return `${entryKeys.periodCharge(subscriptionId, periodStartAt)}:${lineId}`;
}

function isPeriodLevel(line: ChargeLine): boolean {
  switch (line.kind) {
    case 'usage':
      return false;
    case 'charge':
    case 'discount':
    case 'commitment':
      return true;
  }
}

/**
 * What the period should have posted: one entry per period-level line, debiting unbilled and
 * crediting revenue by the line amount (a discount, being negative, the other way round). The
 * entries are effective at the period start, so the period's invoice, whose cut-off is the period
 * end (exclusive), takes them with the period's records.
 */
export function periodChargeEntries(close: PeriodClose): IntendedEntry[] {
  const unbilled = { kind: 'unbilled', owner: close.accountId } as const;
  const revenue = { kind: 'revenue', owner: close.accountId } as const;
  return close.charges.lines.filter(isPeriodLevel).map((line) => ({
    entry: periodLineEntry(close.subscriptionId, close.periodStartAt, line.id),
    currency: close.charges.currency,
    effectiveAt: close.periodStartAt,
    lines: transferLines(unbilled, revenue, money(line.amount)),
    attributes: {
      subscriptionId: close.subscriptionId,
      service: line.product ?? line.usageType ?? line.kind,
      category: line.category,
      item: line.chargeId ?? line.discountId ?? line.id,
      ...(line.quantity === null ? {} : { quantity: line.quantity }),
      ...(line.unit === null ? {} : { unit: line.unit }),
      periodStartAt: close.periodStartAt,
      periodEndAt: close.periodEndAt,
    },
  }));
}

/**
 * The postings a (re-)close of the period makes. The scope is every entry under
 * "period:{subscription}:{start}:"; other postings in `posted` are ignored, and a period line that
 * disappeared (a discount no longer applying) is reversed.
 */
export function periodClosePostings(close: PeriodClose, posted: readonly Posting[]): Posting[] {
  const scope = `${entryKeys.periodCharge(close.subscriptionId, close.periodStartAt)}:`;
  return postingDelta(periodChargeEntries(close), posted.filter((posting) => posting.entry.startsWith(scope)));
}
