import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, isNull, sql as dsql } from 'drizzle-orm';
import { FileFormatError } from '../domain/errors';
import { createFastRowValidator } from '../domain/usage-file/fast-row';
import { checkHeaders, createRowValidator, validateCategories, type RowResult, type UsageRecordDraft, type ValidationContext } from '../domain/usage-file/validate';
import type { Database } from '../db/client';
import { findProduct, listAssets, listItems } from '../db/queries/catalog';
import { copyChunk, errorLine, invalidRecordLine, lastCommittedRow, markDuplicateRecordIds, validRecordLine } from '../db/queries/usage-records';
import { releaseAcceptedRecords } from '../db/queries/usage-file-billing';
import { dropOtherUploads, findUpload, findUsageFile, recordTransition, uploadBuffer, uploadBytes, uploadChunks, type TransitionRecord } from '../db/queries/usage-files';
import { items, usageFileCategories, usageRecordErrors, usageRecords } from '../db/schema';
import { csvRangeRecords, openCsv } from '../lib/spreadsheet/csv-reader';
import { DEFAULT_RANGE_BYTES, rangeBytes, splitCsv, type CsvRange } from '../lib/spreadsheet/csv-ranges';
import { USAGE_CSV_LIMITS } from '../lib/spreadsheet/limits';
import { openUsageXlsx } from '../lib/spreadsheet/xlsx-reader';
import { toCells, type SheetReader } from '../lib/spreadsheet/sheet-row';
import { heartbeating } from './heartbeat';

export interface ProcessUploadInput {
  fileId: string;
  uploadNo: number;
  /** When the upload was made (the workflow's clock): ends after it are future charges. */
  uploadedAt: string;
  /** Rows per committed chunk. */
  chunkRows: number;
}

export interface ProcessUploadResult {
  rows: number;
  /** Header (record_id or usage_record_id) the duplicate check marks. */
  recordIdColumn: string;
  /** Set when the whole file was refused (bad format, missing columns). */
  refused: { code: string; message: string } | null;
  /** False when this attempt read every row and saw no record_id twice (the set-based check can be skipped). */
  duplicatesPossible?: boolean;
}

/** A whole-file refusal found in a range, for the workflow to record once (the first range's). */
export interface FileRefusal { row: number; column: string; code: string; message: string }

export interface PlanUploadResult {
  /** Byte ranges to process in parallel; null: process the upload in one pass (processUpload). */
  ranges: CsvRange[] | null;
  recordIdColumn: string;
  refused: { code: string; message: string } | null;
}

export interface ProcessRangeInput extends ProcessUploadInput {
  range: CsvRange;
}

const DEFAULT_CHUNK_ROWS = 10_000;

export function usageFileActivities({ db, sql }: Pick<Database, 'db' | 'sql'>) {
  const loadContext = async (fileId: string, uploadedAt: string, categoryIds: ReadonlySet<string>) => {
    const file = await findUsageFile(db, fileId);
    if (!file?.productId) throw ApplicationFailure.nonRetryable(`usage file ${fileId} has no product`, 'NOT_FOUND');
    const product = (await findProduct(db, file.productId))!;
    const [productItems, productAssets] = await Promise.all([listItems(db, product.id), listAssets(db, product.id, file.providerId)]);
    const context: ValidationContext = {
      schema: product.schema,
      capabilities: { dynamic: product.dynamicItems, future: product.futureCharges, late: product.lateCharges },
      period: { from: file.periodFrom.toISOString(), to: file.periodTo.toISOString() },
      uploadedAt,
      items: productItems.map((i) => ({ id: i.id, mpn: i.mpn, globalId: i.globalId, precision: i.precision, type: i.type })),
      assets: productAssets.map((a) => ({ id: a.id, params: a.params, reconId: a.reconId })),
      categoryIds,
    };
    return context;
  };

  const storeErrors = async (fileId: string, uploadNo: number, sheet: string, errors: ReadonlyArray<{ row: number; column: string; code: string; message: string }>) => {
    if (errors.length === 0) return;
    await db.insert(usageRecordErrors)
      .values(errors.map((e) => ({ fileId, uploadNo, sheet, row: e.row, column: e.column, code: e.code, message: e.message })))
      .onConflictDoNothing();
  };

  const refuse = async (input: ProcessUploadInput, err: FileFormatError): Promise<ProcessUploadResult> => {
    const { row = 0, column = '' } = err.location;
    await storeErrors(input.fileId, input.uploadNo, 'file', [{ row, column, code: err.code, message: err.message }]);
    return { rows: 0, recordIdColumn: 'record_id', refused: { code: err.code, message: err.message } };
  };

  const completedUpload = async (fileId: string, uploadNo: number) => {
    const upload = await findUpload(db, fileId, uploadNo);
    if (!upload?.completedAt) throw ApplicationFailure.nonRetryable(`upload ${uploadNo} of ${fileId} is not complete`, 'NOT_FOUND');
    return upload;
  };

  /** The validation context, and the records header row's errors (stored: they refuse the upload). */
  const checkRecordsHeader = async (input: ProcessUploadInput, records: SheetReader, categoryIds: ReadonlySet<string>) => {
    const context = await loadContext(input.fileId, input.uploadedAt, categoryIds);
    const recordIdColumn = records.headers.includes('usage_record_id') && !records.headers.includes('record_id') ? 'usage_record_id' : 'record_id';
    const headerErrors = checkHeaders(records.headers, context.schema, context.capabilities, records.headerRowNumber);
    if (headerErrors.length === 0) return { context, recordIdColumn, refused: null };
    await storeErrors(input.fileId, input.uploadNo, 'records', headerErrors);
    return { context, recordIdColumn, refused: { code: 'MISSING_COLUMN', message: headerErrors.map((e) => e.message).join('; ') } };
  };

  return {
    /** Idempotent: keyed on (file id, seq); a retry records nothing twice. */
    async recordFileTransition(t: TransitionRecord): Promise<{ applied: boolean }> {
      return recordTransition(db, t, t.action === 'accept' ? { acceptanceNote: t.note } : t.action === 'reject' ? { rejectionNote: t.note } : {});
    },

    /** The accepted file's records become billable records (idempotent; see db/queries/usage-file-billing). */
    async releaseForBilling({ fileId }: { fileId: string }): Promise<{ released: number; withoutAccount: number }> {
      return releaseAcceptedRecords(sql, fileId);
    },

    /**
     * Reads an upload from its stored bytes, validates every row and lands records and errors with
     * COPY, one transaction per chunk, heartbeating the last committed row. A retry resumes after
     * the last row the database holds for this upload.
     */
    async processUpload(input: ProcessUploadInput): Promise<ProcessUploadResult> {
      const { fileId, uploadNo } = input;
      const upload = await completedUpload(fileId, uploadNo);
      const resumeAfter = await lastCommittedRow(sql, fileId, uploadNo);
      try {
        let records: SheetReader;
        let categoryIds: ReadonlySet<string> = new Set();
        if (upload.format === 'xlsx') {
          // A large workbook takes a while to parse before the first row can heartbeat.
          const workbook = await heartbeating(async () => openUsageXlsx(await uploadBuffer(db, fileId, uploadNo)));
          records = workbook.records;
          if (workbook.categories) {
            const result = validateCategories(workbook.categories.headers, workbook.categories.rows, workbook.categories.headerRowNumber);
            categoryIds = result.categoryIds;
            await storeErrors(fileId, uploadNo, 'categories', result.errors);
            if (result.categories.length > 0) {
              await db.insert(usageFileCategories)
                .values(result.categories.map((c) => ({ fileId, uploadNo, categoryId: c.id, name: c.name, description: c.description })))
                .onConflictDoNothing();
            }
          }
        } else {
          records = await openCsv(uploadBytes(db, fileId, uploadNo), USAGE_CSV_LIMITS);
        }
        const header = await checkRecordsHeader(input, records, categoryIds);
        if (header.refused) return { rows: 0, recordIdColumn: header.recordIdColumn, refused: header.refused };
        const { rows, duplicatesPossible } = await landRows(records, header.context, input, resumeAfter, header.recordIdColumn);
        return { rows, recordIdColumn: header.recordIdColumn, refused: null, duplicatesPossible };
      } catch (err) {
        if (err instanceof FileFormatError) return refuse(input, err);
        throw err;
      }
    },

    /**
     * Checks a CSV upload's header row and gives its byte ranges on record boundaries
     * (lib/spreadsheet/csv-ranges) for processCsvRange: those the upload found, or (for other
     * range sizes, or an upload stored without them) found now in one pass over the bytes. An XLSX file, or a CSV that cannot be split
     * safely, gets no ranges: processUpload reads it in one pass. Writes only a refusal's errors.
     */
    async planUpload(input: ProcessUploadInput & { rangeBytes: number }): Promise<PlanUploadResult> {
      const { fileId, uploadNo } = input;
      const upload = await completedUpload(fileId, uploadNo);
      if (upload.format !== 'csv') return { ranges: null, recordIdColumn: 'record_id', refused: null };
      try {
        const header = await checkRecordsHeader(input, await openCsv(uploadBytes(db, fileId, uploadNo, { batch: 1 })), new Set());
        if (header.refused) return { ranges: null, recordIdColumn: header.recordIdColumn, refused: header.refused };
        // The ranges the upload found while storing the bytes, unless other sizes are asked for.
        // Otherwise one pass over every byte, which for a large file outlasts the heartbeat timeout.
        const ranges = input.rangeBytes > 0 || !upload.csvRanges
          ? await heartbeating(() => splitCsv(uploadBytes(db, fileId, uploadNo), input.rangeBytes > 0 ? input.rangeBytes : DEFAULT_RANGE_BYTES, USAGE_CSV_LIMITS.maxRows))
          : upload.csvRanges;
        return { ranges: ranges ?? null, recordIdColumn: header.recordIdColumn, refused: null };
      } catch (err) {
        if (!(err instanceof FileFormatError)) throw err;
        const refused = await refuse(input, err);
        return { ranges: null, recordIdColumn: refused.recordIdColumn, refused: refused.refused };
      }
    },

    /**
     * Validates and lands the rows of one range of a CSV upload, like processUpload: COPY in
     * chunks, each a transaction; a retry resumes after the last row of the range the database
     * holds. Common rows take the fast path (domain/usage-file/fast-row), the others the full
     * validator. A whole-file fault is returned, not recorded: the workflow records the first one.
     */
    async processCsvRange(input: ProcessRangeInput): Promise<{ rows: number; refused: FileRefusal | null }> {
      const { fileId, uploadNo, range } = input;
      await completedUpload(fileId, uploadNo);
      const resumeAfter = await lastCommittedRow(sql, fileId, uploadNo, { from: range.firstRow, to: range.endRow });
      try {
        const records = await openCsv(uploadBytes(db, fileId, uploadNo, { batch: 1 }));
        const header = await checkRecordsHeader(input, records, new Set());
        // planUpload checked the header; it can only fail here if the product changed since.
        if (header.refused) return { rows: 0, refused: { row: records.headerRowNumber, column: '', ...header.refused } };
        const fast = createFastRowValidator(records.headers, header.context);
        const validate = createRowValidator(header.context);
        const writer = chunkWriter(input, Math.max(resumeAfter, range.firstRow - 1));
        const activity = Context.current();
        const bytes = rangeBytes(uploadChunks(db, fileId, uploadNo, { from: range.from.chunk, to: range.to.chunk, batch: 2 }), range);
        let rows = 0;
        for await (const batch of csvRangeRecords(bytes, range, records.headerRowNumber)) {
          for (const { rowNumber, fields } of batch) {
            rows++;
            if (rowNumber <= resumeAfter) continue;
            const record = fast?.(fields, rowNumber);
            const full = record ? undefined : validate({ rowNumber, cells: toCells(records.headers, fields, rowNumber) });
            if (writer.add(rowNumber, record ?? full!, () => fields[records.headers.indexOf(header.recordIdColumn)] ?? '')) await writer.flush();
          }
          activity.heartbeat();
        }
        await writer.close();
        return { rows, refused: null };
      } catch (err) {
        if (!(err instanceof FileFormatError)) throw err;
        const { row = 0, column = '' } = err.location;
        return { rows: 0, refused: { row, column, code: err.code, message: err.message } };
      }
    },

    /** Set-based and idempotent: rows sharing a record_id become invalid (SPEC §5 46). */
    async markDuplicates(input: { fileId: string; uploadNo: number; recordIdColumn: string }): Promise<number> {
      return markDuplicateRecordIds(sql, input.fileId, input.uploadNo, input.recordIdColumn);
    },

    /**
     * Ends processing in one transaction: the upload becomes the file's records (older uploads'
     * records go), dynamic items of a valid file are created, and the file turns ready or invalid.
     * Keyed on the event (file id, seq) like every transition.
     */
    async completeProcessing(input: { transition: Omit<TransitionRecord, 'toStatus' | 'action'>; uploadNo: number; refused: string | null; fileError?: FileRefusal | null }) {
      const { fileId } = input.transition;
      if (input.fileError) await storeErrors(fileId, input.uploadNo, 'file', [input.fileError]);
      const [bad] = await sql<Array<{ invalid: number; errors: number }>>`
        select (select count(*) from usage_records where file_id = ${fileId} and upload_no = ${input.uploadNo} and status = 'invalid')::int as invalid,
               (select count(*) from usage_record_errors where file_id = ${fileId} and upload_no = ${input.uploadNo})::int as errors`;
      const invalid = input.refused !== null || bad!.invalid > 0 || bad!.errors > 0;
      const toStatus = invalid ? 'invalid' as const : 'ready' as const;
      const errorDetail = input.refused ?? (invalid ? `${bad!.invalid} invalid records, ${bad!.errors} cell errors: download the processed file` : '');
      const file = (await findUsageFile(db, fileId))!;
      // Only a product with dynamic items can have records without an item (two scans saved otherwise).
      const dynamic = (await findProduct(db, file.productId!))?.dynamicItems === true;
      await db.transaction(async (tx) => {
        const { applied } = await recordTransition(tx, { ...input.transition, action: invalid ? 'markInvalid' : 'markReady', toStatus },
          { currentUploadNo: input.uploadNo, errorDetail });
        if (!applied) return;
        await dropOtherUploads(tx, fileId, input.uploadNo);
        if (!invalid && dynamic) await createDynamicItems(tx, fileId, input.uploadNo, file.productId!);
      });
      return { status: toStatus, invalidRecords: bad!.invalid, errors: bad!.errors };
    },
  };

  async function landRows(records: SheetReader, context: ValidationContext, input: ProcessUploadInput, resumeAfter: number, recordIdColumn: string) {
    const validate = createRowValidator(context);
    const writer = chunkWriter(input, resumeAfter);
    let rows = 0;
    // Repeated record ids are seen here when the whole upload is read in this attempt; a resumed
    // attempt leaves them to the set-based check.
    const seen: Set<string> | null = resumeAfter === 0 ? new Set() : null;
    let repeated = false;
    for await (const row of records.rows) {
      rows++;
      if (row.rowNumber <= resumeAfter) continue;
      if (seen) {
        const id = (row.cells[recordIdColumn] ?? '').trim();
        if (seen.has(id)) repeated = true;
        else seen.add(id);
      }
      if (writer.add(row.rowNumber, validate(row), () => row.cells[recordIdColumn] ?? '')) await writer.flush();
    }
    await writer.close();
    return { rows, duplicatesPossible: seen === null || repeated };
  }

  /**
   * Collects COPY lines of validated rows and commits them a chunk at a time. One chunk is written
   * while the next is validated (Postgres and Node on two cores); chunks still commit in row
   * order, so "resume after the last committed row" stays exact. Heartbeats the last committed row.
   */
  function chunkWriter(input: ProcessUploadInput, committedRow: number) {
    const { fileId, uploadNo } = input;
    const chunkRows = input.chunkRows > 0 ? input.chunkRows : DEFAULT_CHUNK_ROWS;
    const activity = Context.current();
    let recordLines: string[] = [];
    let errorLines: string[] = [];
    let lastRow = committedRow;
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (recordLines.length === 0) return;
      const [chunkRecords, chunkErrors, upTo] = [recordLines, errorLines, lastRow];
      recordLines = [];
      errorLines = [];
      await inFlight;
      // A cancelled attempt (timed out while the worker was starved) stops instead of racing its retry.
      if (activity.cancellationSignal.aborted) throw activity.cancellationSignal.reason;
      inFlight = copyChunk(sql, chunkRecords, chunkErrors).then(() => activity.heartbeat({ lastRow: upTo }));
      inFlight.catch(() => {}); // awaited at the next flush; never an unhandled rejection meanwhile
    };
    return {
      /** Adds a row (a fast-path record or a validator's result); true when a chunk is full: flush it. */
      add(rowNumber: number, result: UsageRecordDraft | RowResult, recordId: () => string): boolean {
        if (!('ok' in result)) recordLines.push(validRecordLine(fileId, uploadNo, result));
        else if (result.ok) recordLines.push(validRecordLine(fileId, uploadNo, result.record));
        else {
          recordLines.push(invalidRecordLine(fileId, uploadNo, rowNumber, recordId().trim()));
          for (const e of result.errors) errorLines.push(errorLine(fileId, uploadNo, 'records', e));
        }
        lastRow = rowNumber;
        return recordLines.length >= chunkRows;
      },
      flush,
      async close() {
        await flush();
        await inFlight;
      },
    };
  }
}

/** Creates the items a valid file's rows describe (once per MPN) and points the records at them. */
async function createDynamicItems(tx: Parameters<Parameters<Database['db']['transaction']>[0]>[0], fileId: string, uploadNo: number, productId: string) {
  const described = await tx.selectDistinctOn([usageRecords.itemMpn], {
    mpn: usageRecords.itemMpn, name: usageRecords.itemName, unit: usageRecords.itemUnit, precision: usageRecords.itemPrecision,
  }).from(usageRecords).where(and(eq(usageRecords.fileId, fileId), eq(usageRecords.uploadNo, uploadNo), isNull(usageRecords.itemId)));
  if (described.length === 0) return;
  await tx.insert(items).values(described.map((d, i) => ({
    id: `ITM-${fileId.replace(/^UF-/, '')}-${i + 1}`, productId, mpn: d.mpn!, name: d.name ?? d.mpn!, unit: d.unit ?? '',
    precision: d.precision as (typeof items.$inferInsert)['precision'], type: 'ppu' as const, createdByFileId: fileId,
  }))).onConflictDoNothing();
  await tx.update(usageRecords).set({ itemId: dsql`(select ${items.id} from ${items} where ${items.productId} = ${productId} and ${items.mpn} = ${usageRecords.itemMpn})` })
    .where(and(eq(usageRecords.fileId, fileId), eq(usageRecords.uploadNo, uploadNo), isNull(usageRecords.itemId)));
}
