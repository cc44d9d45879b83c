// What the gates know besides the record: a snapshot the caller loads (services with their
// identifiers, subscriptions with billing periods, rating inputs, ownership rules) and the
// processing instant. Plain JSON in; compiled once per batch into lookup tables (parsed instants,
// identifiers indexed by value) so each record costs map lookups, not scans or date parsing.
// Every interval is half-open: [from, to), a missing `to` is open-ended.
import { DomainError } from '../errors';
import { parseInstant } from '../rating/calendar';
import type { PlanAssignment, RatePlan, RateOverride } from '../rating/index';
import type { OwnershipRule } from './ownership';

export interface ServiceIdentifierSnapshot {
  type: string;
  value: string;
  validFrom: string;
  validTo?: string;
}

export interface ServiceSnapshot {
  id: string;
  /** INACTIVE: suspended or never activated, whatever the dates say. */
  status: 'ACTIVE' | 'INACTIVE';
  activeFrom: string;
  activeTo?: string;
  /** Usage categories the service takes (its service type); absent takes any. */
  categories?: string[];
  subscriptionId: string | null;
  identifiers: ServiceIdentifierSnapshot[];
}

export interface BillingPeriodSnapshot {
  startAt: string;
  endAt: string;
  state: 'OPEN' | 'CLOSED';
}

export interface SubscriptionSnapshot {
  id: string;
  accountId: string;
  customerGroupIds?: string[];
  /** The account's IANA time zone (rating windows). */
  timeZone: string;
  /** A CLOSED period still takes records processed before endAt + lateGraceSeconds. */
  lateGraceSeconds: number;
  periods: BillingPeriodSnapshot[];
  overrides?: RateOverride[];
}

export interface RatingInputs {
  assignments: PlanAssignment[];
  planVersions: RatePlan[];
  /** The workflow's `now` for rating; recorded in every rating result. */
  asOf: string;
}

export interface MediationContext {
  /** The processing instant (the workflow's `now`): age rules, grace, and every trace entry. */
  processedAt: string;
  services: ServiceSnapshot[];
  subscriptions: SubscriptionSnapshot[];
  /** Absent: the rate phase is skipped (records are rated later, e.g. after a Connect accept). */
  rating?: RatingInputs;
  ownershipRules?: OwnershipRule[];
}

export interface IdentifierEntry {
  readonly service: ServiceSnapshot;
  readonly type: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly serviceFromMs: number;
  readonly serviceToMs: number;
}

export interface CompiledPeriod {
  readonly period: BillingPeriodSnapshot;
  /** Shared, frozen: what a result reports as its period. */
  readonly range: { readonly startAt: string; readonly endAt: string };
  readonly startMs: number;
  readonly endMs: number;
}

export interface CompiledContext {
  readonly source: MediationContext;
  readonly processedAtMs: number;
  /** Identifier value -> every service identifier with that value, whatever its type or dates. */
  readonly byIdentifier: ReadonlyMap<string, readonly IdentifierEntry[]>;
  readonly subscriptions: ReadonlyMap<string, { readonly snapshot: SubscriptionSnapshot; readonly periods: readonly CompiledPeriod[] }>;
}

function instant(value: string, what: string): number {
  const ms = parseInstant(value);
  if (ms === null) throw new DomainError('INVALID_CONTEXT', `${what} is not an ISO 8601 instant: ${value}`);
  return ms;
}

/** Compiles a context snapshot; throws DomainError INVALID_CONTEXT on an unreadable instant. */
export function compileContext(context: MediationContext): CompiledContext {
  const byIdentifier = new Map<string, IdentifierEntry[]>();
  for (const service of context.services) {
    const serviceFromMs = instant(service.activeFrom, `service ${service.id} activeFrom`);
    const serviceToMs = service.activeTo === undefined ? Number.POSITIVE_INFINITY : instant(service.activeTo, `service ${service.id} activeTo`);
    for (const identifier of service.identifiers) {
      const entry: IdentifierEntry = {
        service,
        type: identifier.type,
        fromMs: instant(identifier.validFrom, `identifier ${identifier.value} validFrom`),
        toMs: identifier.validTo === undefined ? Number.POSITIVE_INFINITY : instant(identifier.validTo, `identifier ${identifier.value} validTo`),
        serviceFromMs,
        serviceToMs,
      };
      const list = byIdentifier.get(identifier.value);
      if (list) list.push(entry);
      else byIdentifier.set(identifier.value, [entry]);
    }
  }
  const subscriptions = new Map<string, { snapshot: SubscriptionSnapshot; periods: CompiledPeriod[] }>();
  for (const snapshot of context.subscriptions) {
    const periods = snapshot.periods
      .map((period) => ({ period, range: Object.freeze({ startAt: period.startAt, endAt: period.endAt }), startMs: instant(period.startAt, `period startAt`), endMs: instant(period.endAt, `period endAt`) }))
      .sort((a, b) => a.startMs - b.startMs);
    subscriptions.set(snapshot.id, { snapshot, periods });
  }
  return { source: context, processedAtMs: instant(context.processedAt, 'processedAt'), byIdentifier, subscriptions };
}
