// Pre-rated records (Connect PR/CR/TR files, CRM.COM externally rated UDRs) keep the amount they
// carry; only configured discounts change it (SPEC item 19). A markup chain derives the other
// parties' prices, so one record carries cost, price and margin: from a cost (CR) each party marks up
// the previous price; from an end price (PR) the chain is walked back. Decimal arithmetic only:
// these records are a small share of volume and not on the fast path.
import { formatFixed, formatPlain, money, roundMoney, type Money } from '../money';
import type { CompiledContext, CompiledDiscount } from './compile';
import { applyDiscounts } from './engine-reference';
import type { Markups } from './plan-schema';
import type { UsageRecord } from './records';
import type { PartyPrice, RatedRecord, RatingFailure, RatingFlag } from './result';

function rounded(context: CompiledContext, value: Money): Money {
  return roundMoney(value, context.decimals, context.roundingMethod);
}

/** Party prices from the cost upwards: each party's price = previous * (1 + markup/100), rounded. */
function forward(context: CompiledContext, cost: Money, markups: Markups): Money[] {
  const prices = [cost];
  for (const party of markups.parties.slice(1)) {
    const previous = prices[prices.length - 1] as Money;
    prices.push(rounded(context, previous.times(money(party.markupPercent ?? '0').plus(100)).div(100)));
  }
  return prices;
}

/** Party prices from the end price downwards: previous = price / (1 + markup/100), rounded. */
function backward(context: CompiledContext, price: Money, markups: Markups): Money[] {
  const prices = [price];
  for (const party of markups.parties.slice(1).reverse()) {
    const next = prices[0] as Money;
    prices.unshift(rounded(context, next.times(100).div(money(party.markupPercent ?? '0').plus(100))));
  }
  return prices;
}

/** Written with the plan's decimals when that does not change the value, else as it is. */
function asWritten(context: CompiledContext, value: Money): string {
  return value.decimalPlaces() <= context.decimals ? formatFixed(value, context.decimals) : formatPlain(value);
}

export function ratePrerated(
  record: UsageRecord,
  context: CompiledContext,
  discounts: readonly CompiledDiscount[],
): RatedRecord | RatingFailure {
  const prerated = record.prerated as NonNullable<UsageRecord['prerated']>;
  const supplied = money(prerated.amount);
  const markups = context.markups;
  if (prerated.schema === 'CR' && markups === null) {
    return { status: 'failed', recordId: record.id, reason: 'INVALID_RATE', message: 'a cost-rated (CR) record needs a markup chain in the plan', asOf: context.asOf };
  }
  let prices: Money[] = [];
  if (markups !== null && prerated.schema === 'CR') prices = forward(context, supplied, markups);
  if (markups !== null && prerated.schema === 'PR') prices = backward(context, supplied, markups);
  const price = prices.length > 0 ? (prices[prices.length - 1] as Money) : supplied;
  const discounted = applyDiscounts(price, discounts);
  const changed = prerated.schema === 'CR' || discounted.amounts.some((amount) => amount !== '0');
  const final = changed ? rounded(context, discounted.subtotal) : discounted.subtotal;
  const amount = changed ? formatFixed(final, context.decimals) : asWritten(context, supplied);
  const parties: PartyPrice[] = markups === null || prices.length === 0 ? [] : markups.parties.map((party, index) => ({
    party: party.party,
    amount: asWritten(context, prices[index] as Money),
  }));
  const cost = prices[0];
  const flags: RatingFlag[] = discounts.length > 0 ? ['PRERATED', 'DISCOUNTED'] : ['PRERATED'];
  return {
    status: 'rated',
    recordId: record.id,
    currency: context.currency,
    amount,
    usageType: record.usageType,
    quantity: record.quantity ?? '1',
    unit: record.unit ?? 'unit',
    flags,
    ...(cost !== undefined ? { cost: asWritten(context, cost), margin: asWritten(context, final.minus(cost)) } : {}),
    trace: {
      asOf: context.asOf,
      timeZone: context.timeZone,
      plans: context.planRefs,
      start: record.start,
      rate: null,
      pieces: [],
      connectFee: '0',
      usageAmount: formatPlain(price),
      minimumCharge: null,
      maxCharge: null,
      discounts: discounts.map((discount, index) => ({ id: discount.id, kind: discount.kind, value: discount.value, amount: discounted.amounts[index] ?? '0' })),
      prerated: { schema: prerated.schema, suppliedAmount: prerated.amount, tier: prerated.tier ?? null, parties },
      subtotal: formatPlain(discounted.subtotal),
      rounding: { method: context.roundingMethod, decimals: context.decimals, before: formatPlain(discounted.subtotal), after: amount },
    },
  };
}
