import { sql } from 'drizzle-orm';
import type { CsvRange } from '../../lib/spreadsheet/csv-ranges';
import { bigint, check, customType, index, integer, jsonb, numeric, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { fileStatuses } from '../../domain/file-states';
import { recordStatuses } from '../../domain/usage-records';
import { contracts, products, usageSchema } from './catalog';
import { parties } from './parties';

const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' });

export const usageFileStatus = pgEnum('usage_file_status', fileStatuses);
export const environment = pgEnum('environment', ['preview', 'production']);

export const usageFiles = pgTable(
  'usage_files',
  {
    id: text('id').primaryKey(),
    vendorId: text('vendor_id').notNull().references(() => parties.id),
    providerId: text('provider_id').notNull().references(() => parties.id),
    // Nullable only for files made before the catalog existed; the API always sets them.
    productId: text('product_id').references(() => products.id),
    contractId: text('contract_id').references(() => contracts.id),
    schema: usageSchema('schema'),
    /** The upload whose records are the file's records (0: none yet). */
    currentUploadNo: integer('current_upload_no').notNull().default(0),
    /** Why the last processing made the file invalid (SPEC §1.3 error_details). */
    errorDetail: text('error_detail').notNull().default(''),
    acceptanceNote: text('acceptance_note').notNull().default(''),
    rejectionNote: text('rejection_note').notNull().default(''),
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

export const uploadFormat = pgEnum('upload_format', ['csv', 'xlsx']);

/** One upload of a file's sheet; its bytes are in usage_file_upload_chunks. */
export const usageFileUploads = pgTable(
  'usage_file_uploads',
  {
    fileId: text('file_id').notNull().references(() => usageFiles.id),
    uploadNo: integer('upload_no').notNull(),
    format: uploadFormat('format').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull().default(0),
    /** Set once every byte is stored; an incomplete upload is never processed. */
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** A CSV's byte ranges on record boundaries, found while it was stored (null: read it in one pass). */
    csvRanges: jsonb('csv_ranges').$type<CsvRange[]>(),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.uploadNo] })],
);

export const usageFileUploadChunks = pgTable(
  'usage_file_upload_chunks',
  {
    fileId: text('file_id').notNull(),
    uploadNo: integer('upload_no').notNull(),
    chunkNo: integer('chunk_no').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.uploadNo, t.chunkNo] })],
);

export const usageRecordStatus = pgEnum('usage_record_status', recordStatuses);

/**
 * One row of an upload's records sheet. The key (file, upload, row) is the idempotency key of
 * processing and the only index: bulk-loaded with COPY, looked up by file and row.
 */
export const usageRecords = pgTable(
  'usage_records',
  {
    fileId: text('file_id').notNull(),
    uploadNo: integer('upload_no').notNull(),
    rowNo: integer('row_no').notNull(),
    recordId: text('record_id').notNull(),
    status: usageRecordStatus('status').notNull(),
    note: text('note').notNull().default(''),
    itemId: text('item_id'),
    itemMpn: text('item_mpn'),
    /** For a dynamic item: how the row describes it (the item is created when the file is ready). */
    itemName: text('item_name'),
    itemUnit: text('item_unit'),
    itemPrecision: text('item_precision'),
    assetId: text('asset_id'),
    quantity: numeric('quantity'),
    amount: numeric('amount'),
    startAt: timestamp('start_at', { withTimezone: true }),
    endAt: timestamp('end_at', { withTimezone: true }),
    tier: integer('tier'),
    categoryId: text('category_id'),
    params: jsonb('params').$type<Array<{ name: string; value: string }>>(),
    externalBillingId: text('external_billing_id'),
    externalBillingNote: text('external_billing_note'),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    closedBy: text('closed_by'),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.uploadNo, t.rowNo] })],
);

/** Cell errors of an upload, for the processed file and the errors CSV. */
export const usageRecordErrors = pgTable(
  'usage_record_errors',
  {
    fileId: text('file_id').notNull(),
    uploadNo: integer('upload_no').notNull(),
    sheet: text('sheet').notNull(),
    row: integer('row').notNull(),
    column: text('column').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.uploadNo, t.sheet, t.row, t.column, t.code] })],
);

export const usageFileCategories = pgTable(
  'usage_file_categories',
  {
    fileId: text('file_id').notNull(),
    uploadNo: integer('upload_no').notNull(),
    categoryId: text('category_id').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.uploadNo, t.categoryId] })],
);

/** A signed approval link that was used: the unique key makes a link valid once. */
export const usedLinks = pgTable('used_links', {
  tokenHash: text('token_hash').primaryKey(),
  fileId: text('file_id').notNull(),
  action: text('action').notNull(),
  recipient: text('recipient').notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Mails the system sent (or would send without SMTP); (file, kind, seq) keeps a retry from sending
 * twice. fileId names what the mail is about: a usage file, a billing run, or a wallet.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    fileId: text('file_id').notNull(),
    kind: text('kind').notNull(),
    seq: integer('seq').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.fileId, t.kind, t.seq] }),
    // What the wallet notification relay looks up each time it runs: the mails still to send.
    index('mail_outbox_unsent_idx').on(t.kind, t.createdAt).where(sql`${t.sentAt} is null`),
  ],
);

export const reconciliationStatus = pgEnum('reconciliation_status', ['uploaded', 'processing', 'processed', 'failed']);

export const usageReconciliations = pgTable(
  'usage_reconciliations',
  {
    id: text('id').primaryKey(),
    fileId: text('file_id').notNull().references(() => usageFiles.id),
    status: reconciliationStatus('status').notNull().default('uploaded'),
    format: uploadFormat('format').notNull(),
    data: bytea('data').notNull(),
    note: text('note').notNull().default(''),
    closedCount: integer('closed_count').notNull().default(0),
    errors: jsonb('errors').$type<Array<{ row: number; recordId: string; code: string; message: string }>>().notNull().default([]),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp('processed_at', { withTimezone: true }),
  },
  (t) => [index('usage_reconciliations_file_idx').on(t.fileId)],
);
