import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { BillingCycle } from '../../domain/billing';
import { BILLING_DIRECTIVES, BILLING_MODES, LIFE_CYCLES } from '../../domain/billing';
import { parties } from './parties';

// The customer side shared by mediation and billing (SPEC §3.1, §4.1): an operator's customer
// accounts with their billing cycle and time zone, subscriptions, the services they hold with
// effective-dated identifiers, billing periods, and the billable records rated usage becomes.
// Every interval is half-open [from, to); a null end is open-ended.

export const billingMode = pgEnum('billing_mode', BILLING_MODES);
export const serviceStatus = pgEnum('service_status', ['ACTIVE', 'INACTIVE']);
export const periodState = pgEnum('billing_period_state', ['OPEN', 'CLOSED']);
export const billingDirective = pgEnum('billing_directive', BILLING_DIRECTIVES);
export const lifeCycle = pgEnum('record_life_cycle', LIFE_CYCLES);
export const billableSource = pgEnum('billable_source', ['feed', 'usageFile']);
export const ratingState = pgEnum('rating_state', ['PENDING', 'COMPLETED']);

export const customerAccounts = pgTable(
  'customer_accounts',
  {
    id: text('id').primaryKey(),
    /** The operator (provider) that bills this account; other parties see 404. */
    ownerPartyId: text('owner_party_id').notNull().references(() => parties.id),
    name: text('name').notNull().default(''),
    currency: text('currency').notNull(),
    /** IANA zone: rating windows and billing cycles are evaluated in it. */
    timeZone: text('time_zone').notNull().default('UTC'),
    billingCycle: jsonb('billing_cycle').$type<BillingCycle>().notNull().default({ kind: 'calendar' }),
    customerGroupIds: text('customer_group_ids').array().notNull().default(sql`'{}'::text[]`),
    /** A CLOSED period still takes records processed before its end + this grace. */
    lateGraceSeconds: integer('late_grace_seconds').notNull().default(0),
    billingMode: billingMode('billing_mode').notNull().default('postpaid'),
    /** Prepaid: the wallet usage debits. */
    walletId: text('wallet_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('customer_accounts_owner_idx').on(t.ownerPartyId)],
);

/** Threshold billing term (SPEC §2.5): bill at once when either limit is reached. */
export interface BillingTerm {
  maxUnbilledRecords?: number;
  maxUnbilledAmount?: string;
}

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull().references(() => customerAccounts.id),
    name: text('name').notNull().default(''),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'string' }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'string' }),
    billingTerm: jsonb('billing_term').$type<BillingTerm>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('subscriptions_account_idx').on(t.accountId)],
);

export const services = pgTable(
  'services',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id').references(() => subscriptions.id),
    status: serviceStatus('status').notNull().default('ACTIVE'),
    activeFrom: timestamp('active_from', { withTimezone: true, mode: 'string' }).notNull(),
    activeTo: timestamp('active_to', { withTimezone: true, mode: 'string' }),
    /** Usage categories the service takes (its service type); null takes any. */
    categories: text('categories').array(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('services_subscription_idx').on(t.subscriptionId)],
);

/** A service's identifier (phone number, login id, IP, device id) over a validity period. */
export const serviceIdentifiers = pgTable(
  'service_identifiers',
  {
    serviceId: text('service_id').notNull().references(() => services.id),
    type: text('type').notNull(),
    value: text('value').notNull(),
    validFrom: timestamp('valid_from', { withTimezone: true, mode: 'string' }).notNull(),
    validTo: timestamp('valid_to', { withTimezone: true, mode: 'string' }),
  },
  (t) => [primaryKey({ columns: [t.serviceId, t.type, t.value, t.validFrom] }), index('service_identifiers_value_idx').on(t.value)],
);

/** A subscription's billing periods, created from its account's billing cycle. */
export const billingPeriods = pgTable(
  'billing_periods',
  {
    subscriptionId: text('subscription_id').notNull().references(() => subscriptions.id),
    startAt: timestamp('start_at', { withTimezone: true, mode: 'string' }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true, mode: 'string' }).notNull(),
    state: periodState('state').notNull().default('OPEN'),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'string' }),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.startAt] }), check('billing_periods_range', sql`${t.startAt} < ${t.endAt}`)],
);

/**
 * A rated record's billing facts (domain/billing RecordBilling): what mediated feeds (when rated)
 * and accepted usage files (when accepted) hand to the ledger and billing. The id is the business
 * identity ("feed:{feedId}:{duplicateKey}", "usage:{fileId}:{recordId}"), so loading twice
 * inserts nothing. Directive and life cycle change by record actions; amounts never change in place.
 */
export const billableRecords = pgTable(
  'billable_records',
  {
    id: text('id').primaryKey(),
    source: billableSource('source').notNull(),
    /** The feed load or usage file the record came from. */
    sourceRef: text('source_ref').notNull(),
    accountId: text('account_id').notNull(),
    subscriptionId: text('subscription_id').notNull(),
    serviceId: text('service_id').notNull(),
    currency: text('currency').notNull(),
    category: text('category').notNull(),
    item: text('item').notNull(),
    unit: text('unit').notNull(),
    quantity: numeric('quantity').notNull(),
    /** Exact rated amount (sub-cent digits kept). */
    amount: numeric('amount').notNull(),
    usageAt: timestamp('usage_at', { withTimezone: true, mode: 'string' }).notNull(),
    /** The instant the charge belongs to; invoices cut off on it. */
    billingEffectiveAt: timestamp('billing_effective_at', { withTimezone: true, mode: 'string' }).notNull(),
    periodStartAt: timestamp('period_start_at', { withTimezone: true, mode: 'string' }),
    planId: text('plan_id'),
    planVersion: integer('plan_version'),
    directive: billingDirective('directive').notNull().default('TO_BE_BILLED'),
    lifeCycle: lifeCycle('life_cycle').notNull().default('SCHEDULED'),
    /** PENDING after an adjustment until it is rated again (its amount is then stale, not charged). */
    ratingState: ratingState('rating_state').notNull().default('COMPLETED'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('billable_records_account_idx').on(t.accountId, t.billingEffectiveAt)],
);
