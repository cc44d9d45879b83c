import { randomInt } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq } from 'drizzle-orm';
import { mayActAs } from '../../domain/access';
import { DomainError, FileFormatError, NotFoundError } from '../../domain/errors';
import { transition } from '../../domain/file-states';
import { sortCellErrors, type CellError } from '../../domain/usage-file/cell-error';
import {
  completeUpload, discardUpload, findUpload, insertUpload, insertUploadChunk, listUploadCategories, listUploadErrors, uploadBuffer, uploadBytes,
} from '../../db/queries/usage-files';
import { usageReconciliations } from '../../db/schema';
import { openCsv } from '../../lib/spreadsheet/csv-reader';
import { CsvSplitter, DEFAULT_RANGE_BYTES } from '../../lib/spreadsheet/csv-ranges';
import { USAGE_CSV_LIMITS } from '../../lib/spreadsheet/limits';
import { buildExport, errorsToCsv } from '../../lib/spreadsheet/export-file';
import { buildProcessedFile } from '../../lib/spreadsheet/processed-file';
import { openUsageXlsx } from '../../lib/spreadsheet/xlsx-reader';
import { closeRecordsUpdate, reconcileUpdate, uploadUpdate } from '../../workflows/usage-file';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { forbidden } from '../errors';
import { exportColumns, exportRows } from './usage-records';
import { binary, conflict, CountsJson, errors, executeFileUpdate, fileWithCounts, IdParam, json, UsageFileJson, visibleFile } from './usage-file-shared';

// The file's content: upload (streamed into Postgres in chunks, with a size limit), the processed
// file and the errors CSV, categories, the export of accepted usage, bulk close and reconciliation files.

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CHUNK_BYTES = 1024 * 1024;
const uploadBody = {
  content: { 'text/csv': { schema: z.string().openapi({ format: 'binary' }) }, [XLSX]: { schema: z.string().openapi({ format: 'binary' }) }, 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
  description: 'The sheet as the raw body (XLSX or CSV, told apart by its first bytes), or multipart/form-data with a field `usage_file`',
  required: true,
};

/** The request body as a byte stream: the raw body, or the named part of a multipart form (bounded by Content-Length). */
async function bodyBytes(request: Request, field: string, maxBytes: number): Promise<Iterable<Uint8Array> | AsyncIterable<Uint8Array>> {
  let req = request;
  const type = req.headers.get('content-type') ?? '';
  if (type.toLowerCase().startsWith('multipart/form-data')) {
    // A form is parsed in memory: read it with the limit first, so an endless body is cut off.
    const parts: Uint8Array[] = [];
    let total = 0;
    for await (const part of (req.body ?? []) as AsyncIterable<Uint8Array>) {
      total += part.byteLength;
      if (total > maxBytes + 64 * 1024) throw new FileFormatError('FILE_TOO_LARGE', `The file is larger than ${maxBytes} bytes`, { byteOffset: maxBytes });
      parts.push(part);
    }
    req = new Request(req.url, { method: 'POST', headers: { 'content-type': type }, body: Buffer.concat(parts) });
    const part = (await req.formData()).get(field);
    if (!(part instanceof Blob)) throw new DomainError('VALIDATION_FAILED', `The form has no file field ${field}`, { issues: [{ path: `body.${field}`, message: 'required' }] });
    return [new Uint8Array(await part.arrayBuffer())];
  }
  if (!req.body) return [];
  return req.body as unknown as AsyncIterable<Uint8Array>;
}

/**
 * Stores bytes in chunks of 1 MiB (the last one smaller), one insert in flight while the next
 * chunk arrives, and splits a CSV into ranges for parallel processing on the way (a CSV's ranges;
 * undefined for XLSX or a CSV that is not split); refuses (FILE_TOO_LARGE) as soon as the limit is passed.
 */
async function storeUpload(deps: ApiDeps, fileId: string, uploadNo: number, source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, maxBytes: number) {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let total = 0;
  let chunkNo = 0;
  let head = new Uint8Array(0);
  let inFlight: Promise<void> = Promise.resolve();
  const splitter = new CsvSplitter(DEFAULT_RANGE_BYTES, USAGE_CSV_LIMITS.maxRows);
  const flush = async () => {
    if (pendingBytes === 0) return;
    const chunk = Buffer.concat(pending);
    splitter.push(chunk);
    const insert = insertUploadChunk(deps.database.sql, fileId, uploadNo, chunkNo++, chunk);
    pending = [];
    pendingBytes = 0;
    await inFlight;
    inFlight = insert;
    inFlight.catch(() => {}); // awaited at the next flush; never an unhandled rejection meanwhile
  };
  for await (const part of source) {
    total += part.byteLength;
    if (total > maxBytes) {
      await inFlight;
      throw new FileFormatError('FILE_TOO_LARGE', `The file is larger than ${maxBytes} bytes`, { byteOffset: maxBytes });
    }
    if (head.byteLength < 4) head = Buffer.concat([head, part.subarray(0, 4)]);
    // A large part (a body given whole) is cut, so that a range of the file reads only its chunks.
    for (let at = 0; at < part.byteLength;) {
      const piece = part.subarray(at, at + CHUNK_BYTES - pendingBytes);
      pending.push(piece);
      pendingBytes += piece.byteLength;
      at += piece.byteLength;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
  }
  await flush();
  await inFlight;
  const format: 'csv' | 'xlsx' = head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4 ? 'xlsx' : 'csv';
  return { total, format, csvRanges: format === 'csv' ? splitter.finish() : undefined };
}

/** Refuses a file that cannot be read at all before anything changes: zip checks, sheets, header row. */
async function precheck(deps: ApiDeps, fileId: string, uploadNo: number, format: 'csv' | 'xlsx') {
  if (format === 'xlsx') await openUsageXlsx(await uploadBuffer(deps.database.db, fileId, uploadNo));
  else await openCsv(uploadBytes(deps.database.db, fileId, uploadNo, { batch: 1 }));
}

export function usageFileContentRoutes(deps: ApiDeps) {
  const app = newRouter();
  const maxBytes = deps.uploadMaxBytes ?? 256 * 1024 * 1024;

  app.openapi(
    createRoute({
      method: 'post', path: '/{id}/upload', security: bearerSecurity, summary: 'Upload the sheet (replaces every record of the file once processed)',
      request: { params: IdParam, body: uploadBody },
      responses: { 202: json(UsageFileJson, 'Stored; the file is uploading and will be processed'), ...errors, ...conflict, 413: json(z.object({ error: z.object({ code: z.string() }).loose() }), 'Larger than UPLOAD_MAX_BYTES') },
    }),
    async (c) => {
      const caller = c.get('caller');
      const file = await visibleFile(deps, caller, c.req.valid('param').id);
      if (!mayActAs(caller, 'vendor')) throw forbidden(`Role ${caller.role} may not upload a usage file`);
      transition(file.status, 'upload'); // 409 before reading the body
      const uploadNo = await insertUpload(deps.database.db, file.id, 'csv', caller.partyId);
      try {
        const { total, format, csvRanges } = await storeUpload(deps, file.id, uploadNo, await bodyBytes(c.req.raw, 'usage_file', maxBytes), maxBytes);
        await precheck(deps, file.id, uploadNo, format);
        await completeUpload(deps.database.db, file.id, uploadNo, total, format, csvRanges);
        await executeFileUpdate(deps.temporal, file.id, uploadUpdate, 'upload', [{ actor: { partyId: caller.partyId, keyId: caller.keyId }, uploadNo }]);
      } catch (err) {
        await discardUpload(deps.database.db, file.id, uploadNo);
        throw err;
      }
      return c.json(await fileWithCounts(deps, file.id), 202);
    },
  );

  const currentErrors = async (fileId: string, uploadNo: number) => {
    const rows = await listUploadErrors(deps.database.db, fileId, uploadNo);
    return rows.map((e) => ({ sheet: e.sheet, row: e.row, column: e.column, code: e.code, message: e.message }));
  };

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}/processed-file', security: bearerSecurity, summary: 'The processed XLSX: the sheet as uploaded, failing cells marked with a comment',
      request: { params: IdParam }, responses: { 200: binary(XLSX, 'The processed file'), ...errors },
    }),
    async (c) => {
      const file = await visibleFile(deps, c.get('caller'), c.req.valid('param').id);
      const upload = file.currentUploadNo > 0 ? await findUpload(deps.database.db, file.id, file.currentUploadNo) : undefined;
      if (!upload) throw new NotFoundError('Processed file of usage file', file.id);
      const all = await currentErrors(file.id, upload.uploadNo);
      const cellErrors = (sheet: string) => all.filter((e) => e.sheet === sheet) as unknown as CellError[];
      const fileLevel = all.filter((e) => e.sheet === 'file');
      const general: Array<[string, string]> = [['report_id', file.id], ['report_name', file.name], ['usage_schema', file.schema ?? ''], ['currency', file.currency],
        ['report_start_time_utc', file.periodFrom.toISOString()], ['report_end_time_utc', file.periodTo.toISOString()], ['status', file.status],
        ...fileLevel.map((e): [string, string] => ['error', `${e.code}: ${e.message}`])];
      let records: Parameters<typeof buildProcessedFile>[0]['records'] = { headers: [], rows: [], errors: [] };
      let categories: Parameters<typeof buildProcessedFile>[0]['categories'];
      if (fileLevel.length === 0) {
        const bytes = uploadBytes(deps.database.db, file.id, upload.uploadNo);
        const sheet = upload.format === 'xlsx' ? await openUsageXlsx(await uploadBuffer(deps.database.db, file.id, upload.uploadNo)) : { records: await openCsv(bytes, USAGE_CSV_LIMITS), categories: null };
        records = { headers: sheet.records.headers, headerRowNumber: sheet.records.headerRowNumber, rows: sheet.records.rows, errors: sortCellErrors(cellErrors('records'), sheet.records.headers) };
        if (sheet.categories) categories = { ...sheet.categories, errors: cellErrors('categories') };
      }
      const buffer = await buildProcessedFile({ records, categories, general });
      return c.body(new Uint8Array(buffer), 200, { 'content-type': XLSX, 'content-disposition': `attachment; filename="${file.id}-processed.xlsx"` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}/errors.csv', security: bearerSecurity, summary: 'The errors of the last upload as CSV: row, column, code, message',
      request: { params: IdParam }, responses: { 200: binary('text/csv', 'The errors'), ...errors },
    }),
    async (c) => {
      const file = await visibleFile(deps, c.get('caller'), c.req.valid('param').id);
      const list = await currentErrors(file.id, file.currentUploadNo);
      return c.body(errorsToCsv(list as unknown as CellError[]), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${file.id}-errors.csv"` });
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}/categories', security: bearerSecurity, summary: 'Categories of the file (from its categories sheet)',
      request: { params: IdParam },
      responses: { 200: json(z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), description: z.string() })) }), 'Categories'), ...errors },
    }),
    async (c) => {
      const file = await visibleFile(deps, c.get('caller'), c.req.valid('param').id);
      const rows = await listUploadCategories(deps.database.db, file.id, file.currentUploadNo);
      return c.json({ items: rows.map((r) => ({ id: r.categoryId, name: r.name, description: r.description })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}/export', security: bearerSecurity, summary: 'Export an accepted file for billing (CSV or XLSX, formula-escaped)',
      request: { params: IdParam, query: z.object({ format: z.enum(['csv', 'xlsx']).default('csv') }) },
      responses: { 200: binary('text/csv', 'The records'), ...errors, ...conflict },
    }),
    async (c) => {
      const file = await visibleFile(deps, c.get('caller'), c.req.valid('param').id);
      if (file.status !== 'accepted' && file.status !== 'closed') {
        throw new DomainError('ILLEGAL_TRANSITION', `Cannot export a usage file in state ${file.status}; allowed in accepted, closed`, { action: 'export', currentState: file.status });
      }
      const { format } = c.req.valid('query');
      const buffer = await buildExport(exportRows(deps, file), exportColumns, format);
      return c.body(new Uint8Array(buffer), 200, {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : XLSX, 'content-disposition': `attachment; filename="${file.id}.${format}"`,
      });
    },
  );

  const CloseEntry = z.strictObject({ id: z.string().min(1), externalBillingId: z.string().min(1).max(200), externalBillingNote: z.string().max(2000).optional() });
  const CloseResult = z.object({ id: z.string(), status: z.string(), errorCode: z.string().optional(), errorDetail: z.string().optional() });
  app.openapi(
    createRoute({
      method: 'post', path: '/{id}/records/close', security: bearerSecurity, summary: 'Close many records in one call (a result per record)',
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.strictObject({ records: z.array(CloseEntry).min(1).max(1000) }) } }, required: true } },
      responses: { 200: json(z.object({ results: z.array(CloseResult), file: UsageFileJson.extend({ records: CountsJson }) }), 'Per-record results'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      const file = await visibleFile(deps, caller, c.req.valid('param').id);
      if (!mayActAs(caller, 'provider')) throw forbidden(`Role ${caller.role} may not close records`);
      if (file.status !== 'accepted') throw new DomainError('ILLEGAL_TRANSITION', `Cannot close records of a usage file in state ${file.status}; allowed from accepted`, { action: 'close', currentState: file.status });
      const results = await executeFileUpdate(deps.temporal, file.id, closeRecordsUpdate, 'close', [{ actor: { partyId: caller.partyId, keyId: caller.keyId }, entries: c.req.valid('json').records }]);
      return c.json({ results, file: await fileWithCounts(deps, file.id) }, 200);
    },
  );

  const ReconJson = z.object({
    id: z.string(), fileId: z.string(), status: z.string(), closedCount: z.number().int(),
    errors: z.array(z.object({ row: z.number(), recordId: z.string(), code: z.string(), message: z.string() })), createdAt: z.string(), processedAt: z.string().nullable(),
  }).openapi('UsageReconciliation');
  const reconJson = (r: typeof usageReconciliations.$inferSelect) => ({
    id: r.id, fileId: r.fileId, status: r.status, closedCount: r.closedCount, errors: r.errors, createdAt: r.createdAt.toISOString(), processedAt: r.processedAt?.toISOString() ?? null,
  });
  app.openapi(
    createRoute({
      method: 'post', path: '/{id}/reconciliations', security: bearerSecurity,
      summary: 'Upload a reconciliation file (columns record_id, external_billing_id, external_billing_note); processed asynchronously',
      request: { params: IdParam, body: { ...uploadBody, description: 'CSV or XLSX (a records sheet), raw body or multipart field `recon_file`' } },
      responses: { 202: json(ReconJson, 'Stored; status uploaded'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      const file = await visibleFile(deps, caller, c.req.valid('param').id);
      if (!mayActAs(caller, 'provider')) throw forbidden(`Role ${caller.role} may not reconcile`);
      if (file.status !== 'accepted') throw new DomainError('ILLEGAL_TRANSITION', `Cannot reconcile a usage file in state ${file.status}; allowed from accepted`, { action: 'reconcile', currentState: file.status });
      const parts: Uint8Array[] = [];
      let total = 0;
      for await (const part of await bodyBytes(c.req.raw, 'recon_file', maxBytes)) {
        total += part.byteLength;
        if (total > maxBytes) throw new FileFormatError('FILE_TOO_LARGE', `The file is larger than ${maxBytes} bytes`);
        parts.push(part);
      }
      const data = Buffer.concat(parts);
      const format = data[0] === 0x50 && data[1] === 0x4b ? 'xlsx' as const : 'csv' as const;
      const id = `RC-${file.id.replace(/^UF-/, '')}-${String(randomInt(1_000_000)).padStart(6, '0')}`;
      const [recon] = await deps.database.db.insert(usageReconciliations).values({ id, fileId: file.id, format, data, uploadedBy: caller.partyId }).returning();
      await executeFileUpdate(deps.temporal, file.id, reconcileUpdate, 'reconcile', [{ actor: { partyId: caller.partyId, keyId: caller.keyId }, reconciliationId: id }]);
      return c.json(reconJson(recon!), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}/reconciliations', security: bearerSecurity, summary: 'Reconciliations of the file and their outcome',
      request: { params: IdParam }, responses: { 200: json(z.object({ items: z.array(ReconJson) }), 'Reconciliations'), ...errors },
    }),
    async (c) => {
      const file = await visibleFile(deps, c.get('caller'), c.req.valid('param').id);
      const rows = await deps.database.db.select().from(usageReconciliations).where(and(eq(usageReconciliations.fileId, file.id))).orderBy(asc(usageReconciliations.createdAt));
      return c.json({ items: rows.map(reconJson) }, 200);
    },
  );
  return app;
}
