import { integer, jsonb, numeric, pgEnum, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { RatePlan, WhatIfResult } from '../../domain/rating';
import { parties } from './parties';

// Rate plans are versioned JSON documents (domain/rating/plan-schema.ts). A version is immutable
// once a stored record was rated with it (locked_at); until then it may be replaced.
export const ratePlanVersions = pgTable(
  'rate_plan_versions',
  {
    planId: text('plan_id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull().default(''),
    parentPlanId: text('parent_plan_id'),
    effectiveFrom: timestamp('effective_from', { withTimezone: true }),
    definition: jsonb('definition').$type<RatePlan>().notNull(),
    createdBy: text('created_by').notNull().references(() => parties.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lockedAt: timestamp('locked_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.planId, t.version] })],
);

export const assignmentScope = pgEnum('plan_assignment_scope', ['global', 'customerGroup', 'account', 'subscription']);

/** Which plan prices whom; the most specific assignment in force wins (SPEC §5 item 23). */
export const ratePlanAssignments = pgTable(
  'rate_plan_assignments',
  {
    id: serial('id').primaryKey(),
    planId: text('plan_id').notNull(),
    scope: assignmentScope('scope').notNull(),
    targetId: text('target_id').notNull().default(''),
    validFrom: timestamp('valid_from', { withTimezone: true }).notNull(),
    validTo: timestamp('valid_to', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('rate_plan_assignments_key').on(t.scope, t.targetId, t.validFrom)],
);

/** A subscription's override of one rate of one plan (Emersion rate override). */
export const rateOverrides = pgTable(
  'rate_overrides',
  {
    subscriptionId: text('subscription_id').notNull(),
    planId: text('plan_id').notNull(),
    rateId: text('rate_id').notNull(),
    price: numeric('price'),
    connectFee: numeric('connect_fee'),
    minimumCharge: numeric('minimum_charge'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.planId, t.rateId] })],
);

export const whatIfStatus = pgEnum('what_if_status', ['running', 'completed', 'failed']);

/** A named plan chain (child first) of a what-if; an array keeps the baseline first (jsonb objects do not keep key order). */
export interface WhatIfPlanChain {
  name: string;
  plans: RatePlan[];
}

/** What a what-if rates: records sent with the request, a usage file's records, or accounts' records over [from, to). */
export type WhatIfSelection =
  | { kind: 'records' }
  | { kind: 'usageFile'; fileId: string }
  /** providerId: only that provider's usage files (the caller's party); null: every provider's. */
  | { kind: 'accounts'; accountIds: string[]; from: string; to: string; providerId: string | null };

/** One what-if comparison: its plans (resolved chains, baseline first), options and result. */
export const whatIfRuns = pgTable('what_if_runs', {
  id: text('id').primaryKey(),
  ownerPartyId: text('owner_party_id').notNull().references(() => parties.id),
  plans: jsonb('plans').$type<WhatIfPlanChain[]>().notNull(),
  selection: jsonb('selection').$type<WhatIfSelection>().notNull(),
  timeZone: text('time_zone').notNull(),
  asOf: timestamp('as_of', { withTimezone: true }).notNull(),
  status: whatIfStatus('status').notNull().default('running'),
  totalRecords: integer('total_records').notNull().default(0),
  result: jsonb('result').$type<WhatIfResult>(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  completedAt: timestamp('completed_at', { withTimezone: true }),
});

/** The records a what-if rates, snapshotted once; chunk_no groups whole accounts. */
export const whatIfRecords = pgTable(
  'what_if_records',
  {
    runId: text('run_id').notNull(),
    seq: integer('seq').notNull(),
    account: text('account').notNull().default(''),
    chunkNo: integer('chunk_no'),
    record: jsonb('record').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** The comparison of one chunk; the run's result merges them. */
export const whatIfPartials = pgTable(
  'what_if_partials',
  {
    runId: text('run_id').notNull(),
    chunkNo: integer('chunk_no').notNull(),
    records: integer('records').notNull(),
    result: jsonb('result').$type<WhatIfResult>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.chunkNo] })],
);
