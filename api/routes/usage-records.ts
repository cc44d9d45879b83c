import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, gt, gte, lte, or, sql, type SQL } from 'drizzle-orm';
import { canSeeFile, mayActAs, type Caller } from '../../domain/access';
import { DomainError, NotFoundError, ValidationError } from '../../domain/errors';
import { parseRecordPublicId, recordPublicId, recordStatuses } from '../../domain/usage-records';
import type { ExportColumn, ExportRow } from '../../lib/spreadsheet/export-file';
import { findUsageFile, type UsageFile } from '../../db/queries/usage-files';
import { usageFiles, usageRecords } from '../../db/schema';
import { closeRecordsUpdate } from '../../workflows/usage-file';
import { bearerSecurity, newRouter, type ApiDeps } from '../context';
import { forbidden } from '../errors';
import { conflict, errors, executeFileUpdate, IdParam, json } from './usage-file-shared';

// Usage records: the paginated records API (filters: file, status, asset, item, dates), closing one
// record, editing the external billing id and note of closed ones, and the export rows.

type RecordRow = typeof usageRecords.$inferSelect;

const RecordJson = z.object({
  id: z.string(), fileId: z.string(), recordId: z.string(), rowNo: z.number().int(), status: z.enum(recordStatuses), note: z.string(),
  itemId: z.string().nullable(), itemMpn: z.string().nullable(), assetId: z.string().nullable(), quantity: z.string().nullable(), amount: z.string().nullable(),
  startAt: z.string().nullable(), endAt: z.string().nullable(), tier: z.number().int().nullable(), categoryId: z.string().nullable(),
  params: z.array(z.object({ name: z.string(), value: z.string() })), externalBillingId: z.string().nullable(), externalBillingNote: z.string().nullable(),
  closedAt: z.string().nullable(), closedBy: z.string().nullable(),
}).openapi('UsageRecord');

const recordJson = (r: RecordRow) => ({
  id: recordPublicId(r.fileId, r.rowNo), fileId: r.fileId, recordId: r.recordId, rowNo: r.rowNo, status: r.status, note: r.note,
  itemId: r.itemId, itemMpn: r.itemMpn, assetId: r.assetId, quantity: r.quantity, amount: r.amount, startAt: r.startAt?.toISOString() ?? null,
  endAt: r.endAt?.toISOString() ?? null, tier: r.tier, categoryId: r.categoryId, params: r.params ?? [], externalBillingId: r.externalBillingId,
  externalBillingNote: r.externalBillingNote, closedAt: r.closedAt?.toISOString() ?? null, closedBy: r.closedBy,
});

export const exportColumns: readonly ExportColumn[] = [
  { key: 'id', type: 'text' }, { key: 'recordId', header: 'record_id', type: 'text' }, { key: 'status', type: 'text' },
  { key: 'itemId', header: 'item_id', type: 'text' }, { key: 'itemMpn', header: 'item_mpn', type: 'text' }, { key: 'assetId', header: 'asset_id', type: 'text' },
  { key: 'quantity', type: 'number' }, { key: 'amount', type: 'number' }, { key: 'startAt', header: 'start_time_utc', type: 'text' },
  { key: 'endAt', header: 'end_time_utc', type: 'text' }, { key: 'tier', type: 'number' }, { key: 'categoryId', header: 'category_id', type: 'text' },
  { key: 'note', header: 'record_note', type: 'text' }, { key: 'externalBillingId', header: 'external_billing_id', type: 'text' },
  { key: 'externalBillingNote', header: 'external_billing_note', type: 'text' },
];

/** The file's current records for an export, read in pages of 10,000 by row number. */
export async function* exportRows(deps: ApiDeps, file: UsageFile): AsyncGenerator<ExportRow> {
  for (let after = 0; ;) {
    const page = await deps.database.db.select().from(usageRecords)
      .where(and(eq(usageRecords.fileId, file.id), eq(usageRecords.uploadNo, file.currentUploadNo), gt(usageRecords.rowNo, after)))
      .orderBy(asc(usageRecords.rowNo)).limit(10_000);
    if (page.length === 0) return;
    for (const r of page) {
      const j = recordJson(r);
      yield { ...j, rowNo: String(j.rowNo), params: JSON.stringify(j.params), tier: j.tier === null ? null : String(j.tier) };
    }
    after = page[page.length - 1]!.rowNo;
  }
}

function visibleFilesWhere(caller: Caller): SQL | undefined {
  if (caller.role === 'vendor') return eq(usageFiles.vendorId, caller.partyId);
  if (caller.role === 'provider') return and(eq(usageFiles.providerId, caller.partyId), eq(usageFiles.environment, 'production'));
  return undefined;
}

const encodeCursor = (fileId: string, rowNo: number) => Buffer.from(`${fileId}|${rowNo}`).toString('base64url');
function decodeCursor(cursor: string) {
  const [fileId, row] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!fileId || !/^\d+$/.test(row ?? '')) throw new ValidationError('query.cursor: not a cursor of this API', [{ path: 'query.cursor', message: 'bad cursor' }]);
  return { fileId, rowNo: Number(row) };
}

async function visibleRecord(deps: ApiDeps, caller: Caller, id: string) {
  const ref = parseRecordPublicId(id);
  const file = ref ? await findUsageFile(deps.database.db, ref.fileId) : undefined;
  if (!ref || !file || !canSeeFile(caller, file)) throw new NotFoundError('Usage record', id);
  const [record] = await deps.database.db.select().from(usageRecords)
    .where(and(eq(usageRecords.fileId, file.id), eq(usageRecords.uploadNo, file.currentUploadNo), eq(usageRecords.rowNo, ref.rowNo)));
  if (!record) throw new NotFoundError('Usage record', id);
  return { file, record };
}

export function usageRecordRoutes(deps: ApiDeps) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: 'get', path: '/', security: bearerSecurity, summary: 'Usage records the caller may see, filtered and paginated (keyset cursor)',
      request: {
        query: z.object({
          fileId: z.string().optional(), status: z.enum(recordStatuses).optional(), assetId: z.string().optional(), itemId: z.string().optional(),
          from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'records starting at or after' }),
          to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'records ending at or before' }),
          limit: z.coerce.number().int().min(1).max(1000).default(100), cursor: z.string().max(200).optional(),
        }),
      },
      responses: { 200: json(z.object({ items: z.array(RecordJson), nextCursor: z.string().nullable() }), 'A page of records'), ...errors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const after = q.cursor ? decodeCursor(q.cursor) : undefined;
      const rows = await deps.database.db.select({ r: usageRecords }).from(usageRecords)
        .innerJoin(usageFiles, and(eq(usageFiles.id, usageRecords.fileId), eq(usageFiles.currentUploadNo, usageRecords.uploadNo)))
        .where(and(
          visibleFilesWhere(c.get('caller')), q.fileId ? eq(usageRecords.fileId, q.fileId) : undefined, q.status ? eq(usageRecords.status, q.status) : undefined,
          q.assetId ? eq(usageRecords.assetId, q.assetId) : undefined, q.itemId ? eq(usageRecords.itemId, q.itemId) : undefined,
          q.from ? gte(usageRecords.startAt, new Date(q.from)) : undefined, q.to ? lte(usageRecords.endAt, new Date(q.to)) : undefined,
          after ? or(gt(usageRecords.fileId, after.fileId), and(eq(usageRecords.fileId, after.fileId), gt(usageRecords.rowNo, after.rowNo))) : undefined,
        ))
        .orderBy(asc(usageRecords.fileId), asc(usageRecords.rowNo)).limit(q.limit + 1);
      const page = rows.slice(0, q.limit).map((x) => x.r);
      const last = page[page.length - 1];
      return c.json({ items: page.map(recordJson), nextCursor: rows.length > q.limit && last ? encodeCursor(last.fileId, last.rowNo) : null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/{id}', security: bearerSecurity, summary: 'One usage record', request: { params: IdParam },
      responses: { 200: json(RecordJson, 'The record'), ...errors },
    }),
    async (c) => c.json(recordJson((await visibleRecord(deps, c.get('caller'), c.req.valid('param').id)).record), 200),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/{id}/close', security: bearerSecurity, summary: 'Close an approved record with its external billing id',
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.strictObject({ externalBillingId: z.string().min(1).max(200), externalBillingNote: z.string().max(2000).optional() }) } }, required: true } },
      responses: { 200: json(RecordJson, 'The closed record'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      const { file, record } = await visibleRecord(deps, caller, c.req.valid('param').id);
      if (!mayActAs(caller, 'provider')) throw forbidden(`Role ${caller.role} may not close records`);
      const id = recordPublicId(file.id, record.rowNo);
      if (record.status !== 'approved') throw new DomainError('ILLEGAL_TRANSITION', `Cannot close a record in state ${record.status}; allowed from approved`, { action: 'close', currentState: record.status });
      const [result] = await executeFileUpdate(deps.temporal, file.id, closeRecordsUpdate, 'close', [{ actor: { partyId: caller.partyId, keyId: caller.keyId }, entries: [{ id, ...c.req.valid('json') }] }]);
      if (result?.errorCode) throw new DomainError('ILLEGAL_TRANSITION', result.errorDetail ?? 'not closed', { action: 'close', currentState: result.status });
      return c.json(recordJson((await visibleRecord(deps, caller, id)).record), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put', path: '/{id}', security: bearerSecurity, summary: 'Edit the external billing id and note of a closed record (nothing else is editable)',
      request: { params: IdParam, body: { content: { 'application/json': { schema: z.strictObject({ externalBillingId: z.string().min(1).max(200).optional(), externalBillingNote: z.string().max(2000).optional() }) } }, required: true } },
      responses: { 200: json(RecordJson, 'The record'), ...errors, ...conflict },
    }),
    async (c) => {
      const caller = c.get('caller');
      const { file, record } = await visibleRecord(deps, caller, c.req.valid('param').id);
      if (!mayActAs(caller, 'provider')) throw forbidden(`Role ${caller.role} may not edit records`);
      if (record.status !== 'closed') throw new DomainError('ILLEGAL_TRANSITION', `Only closed records can be edited; this one is ${record.status}`, { action: 'edit', currentState: record.status });
      const body = c.req.valid('json');
      await deps.database.db.update(usageRecords).set({ externalBillingId: body.externalBillingId ?? record.externalBillingId, externalBillingNote: body.externalBillingNote ?? record.externalBillingNote })
        .where(and(eq(usageRecords.fileId, file.id), eq(usageRecords.uploadNo, record.uploadNo), eq(usageRecords.rowNo, record.rowNo), eq(usageRecords.status, 'closed'), sql`true`));
      return c.json(recordJson((await visibleRecord(deps, caller, c.req.valid('param').id)).record), 200);
    },
  );
  return app;
}
