import type { CsvRange } from '../../lib/spreadsheet/csv-ranges';
import { and, asc, desc, eq, gt, lt, or, sql, type AnyColumn } from 'drizzle-orm';
import type { Caller } from '../../domain/access';
import type { FileAction, FileStatus } from '../../domain/file-states';
import { emptyCounts, followFile, type RecordCounts, type RecordStatus } from '../../domain/usage-records';
import type postgres from 'postgres';
import type { DbOrTx } from '../client';
import { copyBinaryRow } from '../copy';
import {
  usageFileCategories, usageFileEvents, usageFileUploadChunks, usageFileUploads, usageFiles, usageRecordErrors, usageRecords,
} from '../schema';

export type UsageFile = typeof usageFiles.$inferSelect;
export type NewUsageFile = typeof usageFiles.$inferInsert;

/** Inserts the file, or returns the one an earlier request with the same idempotency key made. */
export async function insertUsageFile(db: DbOrTx, file: NewUsageFile): Promise<UsageFile> {
  const [created] = await db.insert(usageFiles).values(file).onConflictDoNothing().returning();
  if (created) return created;
  const [existing] = await db
    .select()
    .from(usageFiles)
    .where(and(eq(usageFiles.vendorId, file.vendorId), eq(usageFiles.idempotencyKey, file.idempotencyKey ?? '')));
  if (!existing) throw new Error(`usage file ${file.id} was neither inserted nor found`);
  return existing;
}

/** The SQL form of domain/access.ts canSeeFile, for lists. */
function visibleTo(caller: Caller) {
  switch (caller.role) {
    case 'vendor':
      return eq(usageFiles.vendorId, caller.partyId);
    case 'provider':
      return and(eq(usageFiles.providerId, caller.partyId), eq(usageFiles.environment, 'production'));
    default:
      return undefined;
  }
}

export async function findUsageFile(db: DbOrTx, id: string): Promise<UsageFile | undefined> {
  const [file] = await db.select().from(usageFiles).where(eq(usageFiles.id, id));
  return file;
}

export async function listUsageFiles(db: DbOrTx, caller: Caller, filter: { status?: FileStatus; limit: number; offset: number }) {
  return db
    .select()
    .from(usageFiles)
    .where(and(visibleTo(caller), filter.status ? eq(usageFiles.status, filter.status) : undefined))
    .orderBy(desc(usageFiles.createdAt), desc(usageFiles.id))
    .limit(filter.limit)
    .offset(filter.offset);
}

export async function listUsageFileEvents(db: DbOrTx, fileId: string) {
  return db.select().from(usageFileEvents).where(eq(usageFileEvents.fileId, fileId)).orderBy(asc(usageFileEvents.seq));
}

export interface TransitionRecord {
  fileId: string;
  seq: number;
  action: string;
  fromStatus: FileStatus | null;
  toStatus: FileStatus;
  actorPartyId: string | null;
  actorKeyId: string | null;
  note: string;
  at: string;
}

/**
 * Records a state change once: the event's (file_id, seq) key makes a retried call a no-op, and the
 * status moves only together with a newly inserted event.
 */
export async function recordTransition(db: DbOrTx, t: TransitionRecord, more: Partial<typeof usageFiles.$inferInsert> = {}): Promise<{ applied: boolean }> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(usageFileEvents)
      .values({ ...t, at: new Date(t.at) })
      .onConflictDoNothing()
      .returning({ seq: usageFileEvents.seq });
    if (inserted.length === 0) return { applied: false };
    const [file] = await tx
      .update(usageFiles)
      .set({ ...more, status: t.toStatus, updatedAt: new Date(t.at) })
      .where(eq(usageFiles.id, t.fileId))
      .returning({ uploadNo: usageFiles.currentUploadNo });
    // Records follow their file (SPEC §1.4): submit, accept and reject move all of them at once.
    const follow = followFile[t.action as FileAction];
    if (follow && file) {
      await tx.update(usageRecords).set({ status: follow.to }).where(and(
        eq(usageRecords.fileId, t.fileId), eq(usageRecords.uploadNo, file.uploadNo), eq(usageRecords.status, follow.from),
      ));
    }
    return { applied: true };
  });
}

/** Per-status record counts of the file's current upload: the file's counters, always exact. */
export async function countRecords(db: DbOrTx, fileId: string): Promise<RecordCounts> {
  const rows = await db
    .select({ status: usageRecords.status, n: sql<number>`count(*)::int` })
    .from(usageRecords)
    .innerJoin(usageFiles, and(eq(usageFiles.id, usageRecords.fileId), eq(usageFiles.currentUploadNo, usageRecords.uploadNo)))
    .where(eq(usageRecords.fileId, fileId))
    .groupBy(usageRecords.status);
  const counts = emptyCounts();
  for (const r of rows) {
    counts[r.status as RecordStatus] = r.n;
    counts.total += r.n;
  }
  return counts;
}

/** Allocates the next upload number of a file (the primary key refuses a concurrent twin). */
export async function insertUpload(db: DbOrTx, fileId: string, format: 'csv' | 'xlsx', uploadedBy: string): Promise<number> {
  const [row] = await db
    .insert(usageFileUploads)
    .values({
      fileId, format, uploadedBy,
      uploadNo: sql`(select coalesce(max(${usageFileUploads.uploadNo}), 0) + 1 from ${usageFileUploads} where ${usageFileUploads.fileId} = ${fileId})`,
    })
    .returning({ uploadNo: usageFileUploads.uploadNo });
  return row!.uploadNo;
}

export const findUpload = async (db: DbOrTx, fileId: string, uploadNo: number) =>
  (await db.select().from(usageFileUploads).where(and(eq(usageFileUploads.fileId, fileId), eq(usageFileUploads.uploadNo, uploadNo))))[0];

/** Stores one chunk of an upload (binary COPY: the bytes as they are). Each upload number is new, so no chunk is stored twice. */
export async function insertUploadChunk(pg: postgres.Sql, fileId: string, uploadNo: number, chunkNo: number, data: Uint8Array) {
  await copyBinaryRow(pg, 'usage_file_upload_chunks', 'file_id, upload_no, chunk_no, data', [{ text: fileId }, { int4: uploadNo }, { int4: chunkNo }, { bytes: data }]);
}

export async function completeUpload(db: DbOrTx, fileId: string, uploadNo: number, sizeBytes: number, format: 'csv' | 'xlsx', csvRanges?: CsvRange[]) {
  await db.update(usageFileUploads).set({ sizeBytes, format, completedAt: new Date(), csvRanges: csvRanges ?? null })
    .where(and(eq(usageFileUploads.fileId, fileId), eq(usageFileUploads.uploadNo, uploadNo)));
}

/** Forgets an upload that was refused before it was processed. */
export async function discardUpload(db: DbOrTx, fileId: string, uploadNo: number) {
  await db.delete(usageFileUploadChunks).where(and(eq(usageFileUploadChunks.fileId, fileId), eq(usageFileUploadChunks.uploadNo, uploadNo)));
  await db.delete(usageFileUploads).where(and(eq(usageFileUploads.fileId, fileId), eq(usageFileUploads.uploadNo, uploadNo)));
}

/** The stored bytes of an upload, a few chunks per query, in order. */
/** Stored chunks of an upload in order, `from`..`to` (inclusive) when given, `batch` chunks per query. */
export async function* uploadChunks(
  db: DbOrTx, fileId: string, uploadNo: number, { from = 0, to = 2_147_483_647, batch = 4 }: { from?: number; to?: number; batch?: number } = {},
): AsyncGenerator<{ chunkNo: number; data: Buffer }> {
  for (let next = from; next <= to;) {
    const rows = await db.select({ chunkNo: usageFileUploadChunks.chunkNo, data: usageFileUploadChunks.data })
      .from(usageFileUploadChunks)
      .where(and(eq(usageFileUploadChunks.fileId, fileId), eq(usageFileUploadChunks.uploadNo, uploadNo), sql`${usageFileUploadChunks.chunkNo} between ${next} and ${to}`))
      .orderBy(asc(usageFileUploadChunks.chunkNo)).limit(batch);
    if (rows.length === 0) return;
    for (const r of rows) {
      yield r;
      next = r.chunkNo + 1;
    }
  }
}

export async function* uploadBytes(db: DbOrTx, fileId: string, uploadNo: number, options: { batch?: number } = {}): AsyncGenerator<Uint8Array> {
  for await (const chunk of uploadChunks(db, fileId, uploadNo, options)) yield chunk.data;
}

export async function uploadBuffer(db: DbOrTx, fileId: string, uploadNo: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of uploadBytes(db, fileId, uploadNo)) parts.push(part);
  return Buffer.concat(parts);
}

export const listUploadErrors = (db: DbOrTx, fileId: string, uploadNo: number) =>
  db.select().from(usageRecordErrors)
    .where(and(eq(usageRecordErrors.fileId, fileId), eq(usageRecordErrors.uploadNo, uploadNo)))
    .orderBy(desc(sql`${usageRecordErrors.sheet} = 'file'`), asc(usageRecordErrors.sheet), asc(usageRecordErrors.row));

export const listUploadCategories = (db: DbOrTx, fileId: string, uploadNo: number) =>
  db.select().from(usageFileCategories).where(and(eq(usageFileCategories.fileId, fileId), eq(usageFileCategories.uploadNo, uploadNo)));

/** Drops what other uploads left: their records, errors, categories, and older uploads' bytes. */
export async function dropOtherUploads(db: DbOrTx, fileId: string, keepUploadNo: number) {
  // Two ranges rather than `<>`: each is a range scan of the key, not a walk over the kept upload's rows.
  const others = (uploadNo: AnyColumn) => or(lt(uploadNo, keepUploadNo), gt(uploadNo, keepUploadNo));
  await db.delete(usageRecords).where(and(eq(usageRecords.fileId, fileId), others(usageRecords.uploadNo)));
  await db.delete(usageRecordErrors).where(and(eq(usageRecordErrors.fileId, fileId), others(usageRecordErrors.uploadNo)));
  await db.delete(usageFileCategories).where(and(eq(usageFileCategories.fileId, fileId), others(usageFileCategories.uploadNo)));
  await db.delete(usageFileUploadChunks).where(and(eq(usageFileUploadChunks.fileId, fileId), sql`${usageFileUploadChunks.uploadNo} < ${keepUploadNo}`));
}

