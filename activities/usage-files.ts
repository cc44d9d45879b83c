import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, isNull, sql as dsql } from 'drizzle-orm';
import { FileFormatError } from '../domain/errors';
import { checkHeaders, createRowValidator, validateCategories, type ValidationContext } from '../domain/usage-file/validate';
import type { Database } from '../db/client';
import { findProduct, listAssets, listItems } from '../db/queries/catalog';
import { copyChunk, errorLine, invalidRecordLine, lastCommittedRow, markDuplicateRecordIds, validRecordLine } from '../db/queries/usage-records';
import { releaseAcceptedRecords } from '../db/queries/usage-file-billing';
import { dropOtherUploads, findUpload, findUsageFile, recordTransition, uploadBuffer, uploadBytes, type TransitionRecord } from '../db/queries/usage-files';
import { items, usageFileCategories, usageRecordErrors, usageRecords } from '../db/schema';
import { openCsv } from '../lib/spreadsheet/csv-reader';
import { openUsageXlsx } from '../lib/spreadsheet/xlsx-reader';
import type { SheetReader } from '../lib/spreadsheet/sheet-row';

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

const DEFAULT_CHUNK_ROWS = 50_000;

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
      const upload = await findUpload(db, fileId, uploadNo);
      if (!upload?.completedAt) throw ApplicationFailure.nonRetryable(`upload ${uploadNo} of ${fileId} is not complete`, 'NOT_FOUND');
      const resumeAfter = await lastCommittedRow(sql, fileId, uploadNo);
      try {
        let records: SheetReader;
        let categoryIds: ReadonlySet<string> = new Set();
        if (upload.format === 'xlsx') {
          const workbook = await openUsageXlsx(await uploadBuffer(db, fileId, uploadNo));
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
          records = await openCsv(uploadBytes(db, fileId, uploadNo));
        }
        const context = await loadContext(fileId, input.uploadedAt, categoryIds);
        const recordIdColumn = records.headers.includes('usage_record_id') && !records.headers.includes('record_id') ? 'usage_record_id' : 'record_id';
        const headerErrors = checkHeaders(records.headers, context.schema, context.capabilities, records.headerRowNumber);
        if (headerErrors.length > 0) {
          await storeErrors(fileId, uploadNo, 'records', headerErrors);
          return { rows: 0, recordIdColumn, refused: { code: 'MISSING_COLUMN', message: headerErrors.map((e) => e.message).join('; ') } };
        }
        const { rows, duplicatesPossible } = await landRows(records, context, input, resumeAfter, recordIdColumn);
        return { rows, recordIdColumn, refused: null, duplicatesPossible };
      } catch (err) {
        if (err instanceof FileFormatError) return refuse(input, err);
        throw err;
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
    async completeProcessing(input: { transition: Omit<TransitionRecord, 'toStatus' | 'action'>; uploadNo: number; refused: string | null }) {
      const { fileId } = input.transition;
      const [bad] = await sql<Array<{ invalid: number; errors: number }>>`
        select (select count(*) from usage_records where file_id = ${fileId} and upload_no = ${input.uploadNo} and status = 'invalid')::int as invalid,
               (select count(*) from usage_record_errors where file_id = ${fileId} and upload_no = ${input.uploadNo})::int as errors`;
      const invalid = input.refused !== null || bad!.invalid > 0 || bad!.errors > 0;
      const toStatus = invalid ? 'invalid' as const : 'ready' as const;
      const errorDetail = input.refused ?? (invalid ? `${bad!.invalid} invalid records, ${bad!.errors} cell errors: download the processed file` : '');
      const file = (await findUsageFile(db, fileId))!;
      await db.transaction(async (tx) => {
        const { applied } = await recordTransition(tx, { ...input.transition, action: invalid ? 'markInvalid' : 'markReady', toStatus },
          { currentUploadNo: input.uploadNo, errorDetail });
        if (!applied) return;
        await dropOtherUploads(tx, fileId, input.uploadNo);
        if (!invalid) await createDynamicItems(tx, fileId, input.uploadNo, file.productId!);
      });
      return { status: toStatus, invalidRecords: bad!.invalid, errors: bad!.errors };
    },
  };

  async function landRows(records: SheetReader, context: ValidationContext, input: ProcessUploadInput, resumeAfter: number, recordIdColumn: string) {
    const { fileId, uploadNo } = input;
    const chunkRows = input.chunkRows > 0 ? input.chunkRows : DEFAULT_CHUNK_ROWS;
    const validate = createRowValidator(context);
    let recordLines: string[] = [];
    let errorLines: string[] = [];
    let rows = 0;
    let lastRow = resumeAfter;
    const activity = Context.current();
    // One chunk is written while the next is parsed and validated (Postgres and Node on two cores);
    // chunks still commit in row order, so "resume after the last committed row" stays exact.
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (recordLines.length === 0) return;
      const [chunkRecords, chunkErrors, upTo] = [recordLines, errorLines, lastRow];
      recordLines = [];
      errorLines = [];
      await inFlight;
      inFlight = copyChunk(sql, chunkRecords, chunkErrors).then(() => activity.heartbeat({ lastRow: upTo }));
      inFlight.catch(() => {}); // awaited at the next flush; never an unhandled rejection meanwhile
    };
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
      const result = validate(row);
      if (result.ok) {
        recordLines.push(validRecordLine(fileId, uploadNo, result.record));
      } else {
        recordLines.push(invalidRecordLine(fileId, uploadNo, row.rowNumber, (row.cells[recordIdColumn] ?? '').trim()));
        for (const e of result.errors) errorLines.push(errorLine(fileId, uploadNo, 'records', e));
      }
      lastRow = row.rowNumber;
      if (recordLines.length >= chunkRows) await flush();
    }
    await flush();
    await inFlight;
    return { rows, duplicatesPossible: seen === null || repeated };
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
