// Test builders for mediation: a valid feed, record, service, subscription and context with only
// what a test cares about spelled out.
import { parseRatePlan, type PlanAssignment, type RatePlan } from '../../../domain/rating/index';
import {
  parseFeedDefinition,
  type CanonicalRecord,
  type FeedDefinition,
  type FeedDefinitionInput,
  type MediationContext,
  type ServiceSnapshot,
  type SubscriptionSnapshot,
} from '../../../domain/mediation/index';

export const PROCESSED_AT = '2024-03-10T12:00:00.000Z';

export function aFeedInput(overrides: Partial<FeedDefinitionInput> = {}): FeedDefinitionInput {
  return {
    schemaVersion: 1,
    id: 'test-feed',
    version: 1,
    format: { kind: 'delimited', header: true },
    mapping: {
      id: { from: 'id' },
      serviceIdentifier: { from: 'number' },
      serviceIdentifierType: { constant: 'MSISDN' },
      start: { from: 'start' },
      durationSeconds: { from: 'seconds' },
      usageType: { from: 'type' },
      origin: { from: 'number' },
      destination: { from: 'to' },
    },
    categories: {
      rules: [
        { category: 'TELEPHONY', when: { field: 'usageType', oneOf: ['voice', 'sms'] } },
        { category: 'DATA', when: { field: 'usageType', equals: 'data' } },
      ],
      default: 'MISC',
    },
    duplicateKey: ['serviceIdentifier', 'start', 'durationSeconds', 'origin', 'destination'],
    errorRules: [{ code: 'INCORRECT_DURATION', action: 'quarantine', when: { zeroDuration: { exceptUsageTypes: ['sms'] } } }],
    ...overrides,
  };
}

export function aFeed(overrides: Partial<FeedDefinitionInput> = {}): FeedDefinition {
  return parseFeedDefinition(aFeedInput(overrides));
}

export function aRecord(overrides: Partial<CanonicalRecord> = {}): CanonicalRecord {
  return {
    id: 'r1',
    serviceIdentifier: '+447700900001',
    serviceIdentifierType: 'MSISDN',
    start: '2024-03-04T10:00:00.000Z',
    durationSeconds: '60',
    usageType: 'voice',
    origin: '+447700900001',
    destination: '+442071234567',
    ...overrides,
  };
}

export function aService(overrides: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  return {
    id: 'svc-1',
    status: 'ACTIVE',
    activeFrom: '2024-01-01T00:00:00Z',
    subscriptionId: 'sub-1',
    identifiers: [{ type: 'MSISDN', value: '+447700900001', validFrom: '2024-01-01T00:00:00Z' }],
    ...overrides,
  };
}

export function aSubscription(overrides: Partial<SubscriptionSnapshot> = {}): SubscriptionSnapshot {
  return {
    id: 'sub-1',
    accountId: 'acc-1',
    timeZone: 'UTC',
    lateGraceSeconds: 86_400,
    periods: [
      { startAt: '2024-02-01T00:00:00Z', endAt: '2024-03-01T00:00:00Z', state: 'CLOSED' },
      { startAt: '2024-03-01T00:00:00Z', endAt: '2024-04-01T00:00:00Z', state: 'OPEN' },
    ],
    ...overrides,
  };
}

export function aPlan(overrides: Partial<RatePlan> = {}): RatePlan {
  return parseRatePlan({
    id: 'plan',
    version: 1,
    currency: 'GBP',
    rounding: { method: 'half-up', decimals: 4 },
    rates: [
      { id: 'voice', usageType: 'voice', unit: 'minute', price: '0.10' },
      { id: 'sms', usageType: 'sms', unit: 'sms', price: '0.05' },
    ],
    ...overrides,
  });
}

export const GLOBAL_PLAN: PlanAssignment = { planId: 'plan', scope: 'global' };

export function aContext(overrides: Partial<MediationContext> = {}): MediationContext {
  return {
    processedAt: PROCESSED_AT,
    services: [aService()],
    subscriptions: [aSubscription()],
    rating: { assignments: [GLOBAL_PLAN], planVersions: [aPlan()], asOf: PROCESSED_AT },
    ...overrides,
  };
}
