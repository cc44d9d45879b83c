import { sql } from 'drizzle-orm';
import { bigint, customType, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Candidate, FeedDefinition, OwnershipRule, PhaseTrace } from '../../domain/mediation';
import { QUARANTINE_STATUSES } from '../../domain/mediation';
import { parties } from './parties';

// Mediation (SPEC §3, §4.1, §5 items 1–15): versioned feed definitions, one load per received file
// (its bytes, loaded once per content hash), the raw records exactly as read (never updated), the
// mediated record with its current status and gate results, the audit of every quarantine change,
// and the accepted duplicate keys whose primary key makes a second charge impossible.
// Landing tables (raw, mediated) carry only their sequential key (load, row): COPY stays fast.

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

export const feeds = pgTable(
  'feeds',
  {
    id: text('id').primaryKey(),
    /** The operator whose usage the feed carries; other parties see 404. */
    ownerPartyId: text('owner_party_id').notNull().references(() => parties.id),
    currentVersion: integer('current_version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('feeds_owner_idx').on(t.ownerPartyId)],
);

/** Immutable: a change is a new version; loads name the version they were read with. */
export const feedVersions = pgTable(
  'feed_versions',
  {
    feedId: text('feed_id').notNull().references(() => feeds.id),
    version: integer('version').notNull(),
    definition: jsonb('definition').$type<FeedDefinition>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.feedId, t.version] })],
);

export const feedLoadStatus = pgEnum('feed_load_status', ['receiving', 'received', 'loading', 'loaded']);

/** One received file. (feed, content hash) is unique: the same bytes are loaded once. */
export const feedLoads = pgTable(
  'feed_loads',
  {
    id: text('id').primaryKey(),
    feedId: text('feed_id').notNull().references(() => feeds.id),
    feedVersion: integer('feed_version').notNull(),
    name: text('name').notNull(),
    /** sha256 of the bytes, set when every byte is stored. */
    contentHash: text('content_hash'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull().default(0),
    status: feedLoadStatus('status').notNull().default('receiving'),
    /** Where the file came from: `api:<party>` or `directory:<path>`. */
    source: text('source').notNull(),
    rows: integer('rows'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    loadedAt: timestamp('loaded_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('feed_loads_content_idx').on(t.feedId, t.contentHash), index('feed_loads_feed_idx').on(t.feedId)],
);

export const feedLoadChunks = pgTable(
  'feed_load_chunks',
  {
    loadId: text('load_id').notNull(),
    chunkNo: integer('chunk_no').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.loadId, t.chunkNo] })],
);

/** A row exactly as read (JSON text of the raw fields; null when the line could not be read). Never updated. */
export const feedRawRecords = pgTable(
  'feed_raw_records',
  {
    loadId: text('load_id').notNull(),
    rowNo: integer('row_no').notNull(),
    lineNumber: integer('line_number').notNull(),
    raw: text('raw'),
  },
  (t) => [primaryKey({ columns: [t.loadId, t.rowNo] })],
);

export const mediationStatus = pgEnum('mediation_status', QUARANTINE_STATUSES);

/** The rating result a mediated record keeps (the full trace is recomputable from raw + configuration). */
export interface RatingSummary {
  status: 'rated' | 'deferred';
  usageType: string;
  currency: string;
  amount: string | null;
  quantity: string | null;
  unit: string | null;
  plans: Array<{ id: string; version: number }>;
  flags: string[];
}

/** The current state of one raw record after the gates; (load, row) ties it to its raw record. */
export const mediatedRecords = pgTable(
  'mediated_records',
  {
    loadId: text('load_id').notNull(),
    rowNo: integer('row_no').notNull(),
    feedId: text('feed_id').notNull(),
    feedVersion: integer('feed_version').notNull(),
    recordId: text('record_id').notNull(),
    status: mediationStatus('status').notNull(),
    reason: text('reason'),
    message: text('message'),
    flags: text('flags').array().notNull(),
    category: text('category'),
    serviceIdentifier: text('service_identifier'),
    usageAt: timestamp('usage_at', { withTimezone: true, mode: 'string' }),
    serviceId: text('service_id'),
    subscriptionId: text('subscription_id'),
    accountId: text('account_id'),
    periodStartAt: timestamp('period_start_at', { withTimezone: true, mode: 'string' }),
    periodEndAt: timestamp('period_end_at', { withTimezone: true, mode: 'string' }),
    amount: numeric('amount'),
    currency: text('currency'),
    rating: jsonb('rating').$type<RatingSummary>(),
    candidate: jsonb('candidate').$type<Candidate>(),
    trace: jsonb('trace').$type<PhaseTrace[]>().notNull(),
    ownerKind: text('owner_kind'),
    ownerId: text('owner_id'),
    duplicateKey: text('duplicate_key'),
    /** The reprocess request that cleansed the record last. */
    requestId: text('request_id'),
    attempt: integer('attempt').notNull().default(1),
    /** Audit events so far: the next event's seq is events + 1. */
    events: integer('events').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.loadId, t.rowNo] }),
    // Partial: only records that are not COMPLETED are indexed, so clean records cost no index entry.
    index('mediated_records_open_idx').on(t.feedId, t.status, t.serviceIdentifier).where(sql`${t.status} <> 'COMPLETED'`),
    index('mediated_records_request_idx').on(t.requestId).where(sql`${t.requestId} is not null`),
  ],
);

/** Every change of a mediated record's status after its first mediation: who, when, why. (load, row, seq) is the key. */
export const mediationEvents = pgTable(
  'mediation_events',
  {
    loadId: text('load_id').notNull(),
    rowNo: integer('row_no').notNull(),
    seq: integer('seq').notNull(),
    action: text('action').notNull(),
    fromStatus: mediationStatus('from_status').notNull(),
    toStatus: mediationStatus('to_status').notNull(),
    reason: text('reason'),
    actorPartyId: text('actor_party_id'),
    note: text('note').notNull().default(''),
    requestId: text('request_id'),
    at: timestamp('at', { withTimezone: true, mode: 'string' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.loadId, t.rowNo, t.seq] })],
);

/** The duplicate scope is the feed: one accepted record per key, enforced here even across concurrent loads. */
export const acceptedDuplicateKeys = pgTable(
  'accepted_duplicate_keys',
  {
    feedId: text('feed_id').notNull(),
    key: text('key').notNull(),
    loadId: text('load_id').notNull(),
    rowNo: integer('row_no').notNull(),
  },
  (t) => [primaryKey({ columns: [t.feedId, t.key] })],
);

/** Effective-dated ownership rules of an operator (SPEC §4.2). */
export const ownershipRules = pgTable(
  'ownership_rules',
  {
    ownerPartyId: text('owner_party_id').notNull().references(() => parties.id),
    id: text('id').notNull(),
    rule: jsonb('rule').$type<OwnershipRule>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ownerPartyId, t.id] })],
);

/** A cleanse request: what was selected, by whom; its workflow reprocesses the records it cleansed. */
export const reprocessRequests = pgTable('reprocess_requests', {
  id: text('id').primaryKey(),
  ownerPartyId: text('owner_party_id').notNull(),
  requestedBy: text('requested_by').notNull(),
  note: text('note').notNull().default(''),
  cleansed: integer('cleansed').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
