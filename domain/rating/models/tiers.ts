// Tier arithmetic shared by the tiered models. A tier covers the quantities above `from` up to and
// including `upTo` (open-ended without one): with tiers 0-100 and 100-, unit 100 is in the first.
import { ZERO, money, type Money } from '../../money';

export interface Tier {
  readonly from: string;
  readonly upTo?: string | null | undefined;
}

/** How much of `total` falls inside the tier. */
export function unitsInTier(tier: Tier, total: Money): Money {
  const from = money(tier.from);
  if (total.lte(from)) return ZERO;
  const upTo = tier.upTo === null || tier.upTo === undefined ? null : money(tier.upTo);
  return (upTo !== null && total.gt(upTo) ? upTo : total).minus(from);
}

/** Index of the tier `total` reaches (from < total <= upTo); the first tier for zero. */
export function tierReached(tiers: readonly Tier[], total: Money): number {
  const index = tiers.findIndex((tier) => total.gt(tier.from) && (tier.upTo === null || tier.upTo === undefined || total.lte(tier.upTo)));
  return index < 0 ? 0 : index;
}
