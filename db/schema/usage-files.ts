import { sql } from 'drizzle-orm';
import { check, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { fileStatuses } from '../../domain/file-states';
import { parties } from './parties';

export const usageFileStatus = pgEnum('usage_file_status', fileStatuses);
export const environment = pgEnum('environment', ['preview', 'production']);

export const usageFiles = pgTable(
  'usage_files',
  {
    id: text('id').primaryKey(),
    vendorId: text('vendor_id').notNull().references(() => parties.id),
    providerId: text('provider_id').notNull().references(() => parties.id),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    status: usageFileStatus('status').notNull().default('draft'),
    currency: text('currency').notNull(),
    environment: environment('environment').notNull(),
    periodFrom: timestamp('period_from', { withTimezone: true }).notNull(),
    periodTo: timestamp('period_to', { withTimezone: true }).notNull(),
    // A redelivered create with the same key returns the file it already made.
    idempotencyKey: text('idempotency_key'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('usage_files_idempotency_idx').on(t.vendorId, t.idempotencyKey),
    index('usage_files_vendor_idx').on(t.vendorId),
    index('usage_files_provider_idx').on(t.providerId),
    check('usage_files_period_check', sql`${t.periodFrom} <= ${t.periodTo}`),
  ],
);

// Every state change, with who, when and why. (file_id, seq) is the idempotency key of a transition.
export const usageFileEvents = pgTable(
  'usage_file_events',
  {
    fileId: text('file_id').notNull().references(() => usageFiles.id),
    seq: integer('seq').notNull(),
    action: text('action').notNull(),
    fromStatus: usageFileStatus('from_status'),
    toStatus: usageFileStatus('to_status').notNull(),
    actorPartyId: text('actor_party_id'),
    actorKeyId: text('actor_key_id'),
    note: text('note').notNull().default(''),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.seq] })],
);
