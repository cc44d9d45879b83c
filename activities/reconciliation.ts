import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { FileFormatError } from '../domain/errors';
import { parseRecordPublicId, recordPublicId } from '../domain/usage-records';
import type { Database } from '../db/client';
import { findUsageFile } from '../db/queries/usage-files';
import { usageReconciliations } from '../db/schema';
import { openCsv } from '../lib/spreadsheet/csv-reader';
import { openUsageXlsx } from '../lib/spreadsheet/xlsx-reader';

// Closing records (SPEC §1.9 reconcile): one by one or in bulk through the API, or from a
// reconciliation file. Closing sets the external billing id (and note) on approved records; on a
// closed record it edits them. Re-running a close changes nothing more, so every path is idempotent.

export interface CloseEntry {
  id: string;
  externalBillingId: string;
  externalBillingNote?: string;
}

export interface CloseResult {
  id: string;
  status: string;
  errorCode?: string;
  errorDetail?: string;
}

interface RowClose { rowNo: number; ebid: string; note: string | null }

export function reconciliationActivities({ sql, db }: Pick<Database, 'db' | 'sql'>) {
  async function closeRows(fileId: string, uploadNo: number, rows: RowClose[], at: string, actor: string) {
    if (rows.length > 0) {
      await sql`
        update usage_records r set status = 'closed', external_billing_id = x.ebid,
          external_billing_note = coalesce(x.note, r.external_billing_note, ''),
          closed_at = coalesce(r.closed_at, ${at}::timestamptz), closed_by = coalesce(r.closed_by, ${actor})
        from json_to_recordset(${JSON.stringify(rows)}::json) as x("rowNo" int, ebid text, note text)
        where r.file_id = ${fileId} and r.upload_no = ${uploadNo} and r.row_no = x."rowNo" and r.status in ('approved', 'closed')`;
    }
    const statuses = rows.length === 0 ? [] : await sql<Array<{ row_no: number; status: string }>>`
      select row_no, status from usage_records where file_id = ${fileId} and upload_no = ${uploadNo}
      and row_no in (select (x->>'rowNo')::int from json_array_elements(${JSON.stringify(rows)}::json) x)`;
    const [left] = await sql<Array<{ n: number }>>`
      select count(*)::int as n from usage_records where file_id = ${fileId} and upload_no = ${uploadNo} and status = 'approved'`;
    return { statusByRow: new Map(statuses.map((s) => [s.row_no, s.status])), approvedLeft: left!.n };
  }

  const currentUpload = async (fileId: string) => {
    const file = await findUsageFile(db, fileId);
    if (!file) throw ApplicationFailure.nonRetryable(`usage file ${fileId} not found`, 'NOT_FOUND');
    return file.currentUploadNo;
  };

  return {
    /** Closes records by public id; one result per entry, a bad id never blocks the others. */
    async closeRecords(input: { fileId: string; entries: CloseEntry[]; at: string; actorPartyId: string }) {
      const uploadNo = await currentUpload(input.fileId);
      const rows: RowClose[] = [];
      for (const e of input.entries) {
        const ref = parseRecordPublicId(e.id);
        if (ref?.fileId === input.fileId && e.externalBillingId.trim() !== '') {
          rows.push({ rowNo: ref.rowNo, ebid: e.externalBillingId, note: e.externalBillingNote ?? null });
        }
      }
      const { statusByRow, approvedLeft } = await closeRows(input.fileId, uploadNo, rows, input.at, input.actorPartyId);
      const results: CloseResult[] = input.entries.map((e) => {
        const ref = parseRecordPublicId(e.id);
        const status = ref?.fileId === input.fileId ? statusByRow.get(ref.rowNo) : undefined;
        if (status === undefined) return { id: e.id, status: 'error', errorCode: 'NOT_FOUND', errorDetail: `record ${e.id} is not in file ${input.fileId}` };
        if (e.externalBillingId.trim() === '') return { id: e.id, status, errorCode: 'VALIDATION_FAILED', errorDetail: 'external_billing_id is required' };
        if (status !== 'closed') return { id: e.id, status, errorCode: 'ILLEGAL_TRANSITION', errorDetail: `record ${e.id} is ${status}; only approved records can be closed` };
        return { id: e.id, status };
      });
      return { results, approvedLeft };
    },

    /** Processes a reconciliation file: uploaded → processing → processed (or failed). */
    async processReconciliation(input: { reconciliationId: string; at: string; actorPartyId: string }): Promise<{ approvedLeft: number; closed: number }> {
      const [recon] = await db.select().from(usageReconciliations).where(eq(usageReconciliations.id, input.reconciliationId));
      if (!recon) throw ApplicationFailure.nonRetryable(`reconciliation ${input.reconciliationId} not found`, 'NOT_FOUND');
      if (recon.status === 'processed' || recon.status === 'failed') {
        return { approvedLeft: (await closeRows(recon.fileId, await currentUpload(recon.fileId), [], input.at, '')).approvedLeft, closed: recon.closedCount };
      }
      await db.update(usageReconciliations).set({ status: 'processing' }).where(eq(usageReconciliations.id, recon.id));
      const uploadNo = await currentUpload(recon.fileId);
      try {
        const sheet = recon.format === 'xlsx' ? (await openUsageXlsx(recon.data)).records : await openCsv(recon.data);
        const idColumn = sheet.headers.find((h) => h === 'record_id' || h === 'id');
        if (!idColumn || !sheet.headers.includes('external_billing_id')) {
          throw new FileFormatError('MISSING_COLUMN', 'A reconciliation file needs the columns record_id (or id) and external_billing_id');
        }
        const lines: Array<{ row: number; recordId: string; ebid: string; note: string | null }> = [];
        for await (const r of sheet.rows) {
          lines.push({ row: r.rowNumber, recordId: (r.cells[idColumn] ?? '').trim(), ebid: (r.cells.external_billing_id ?? '').trim(), note: r.cells.external_billing_note ?? null });
        }
        const byVendorId = new Map((await sql<Array<{ row_no: number; record_id: string }>>`
          select row_no, record_id from usage_records where file_id = ${recon.fileId} and upload_no = ${uploadNo}
          and record_id in (select value from json_array_elements_text(${JSON.stringify(lines.map((l) => l.recordId))}::json))`)
          .map((r) => [r.record_id, r.row_no]));
        const rowOf = (id: string) => byVendorId.get(id) ?? (parseRecordPublicId(id)?.fileId === recon.fileId ? parseRecordPublicId(id)!.rowNo : undefined);
        const rows = lines.flatMap((l) => { const rowNo = rowOf(l.recordId); return rowNo !== undefined && l.ebid !== '' ? [{ rowNo, ebid: l.ebid, note: l.note }] : []; });
        const { statusByRow, approvedLeft } = await closeRows(recon.fileId, uploadNo, rows, input.at, input.actorPartyId);
        const errors = lines.flatMap((l) => {
          const rowNo = rowOf(l.recordId);
          if (rowNo !== undefined && l.ebid === '') return [{ row: l.row, recordId: l.recordId, code: 'REQUIRED', message: 'external_billing_id is required' }];
          if (rowNo === undefined || !statusByRow.has(rowNo)) return [{ row: l.row, recordId: l.recordId, code: 'NOT_FOUND', message: `no record ${l.recordId} in the file` }];
          const status = statusByRow.get(rowNo);
          return status === 'closed' ? [] : [{ row: l.row, recordId: l.recordId, code: 'ILLEGAL_TRANSITION', message: `record ${recordPublicId(recon.fileId, rowNo)} is ${status}` }];
        });
        const closed = lines.length - errors.length;
        await db.update(usageReconciliations).set({ status: 'processed', closedCount: closed, errors: errors.slice(0, 1000), processedAt: new Date(input.at) })
          .where(eq(usageReconciliations.id, recon.id));
        return { approvedLeft, closed };
      } catch (err) {
        if (!(err instanceof FileFormatError)) throw err;
        await db.update(usageReconciliations).set({ status: 'failed', errors: [{ row: err.location.row ?? 0, recordId: '', code: err.code, message: err.message }], processedAt: new Date(input.at) })
          .where(eq(usageReconciliations.id, recon.id));
        return { approvedLeft: (await closeRows(recon.fileId, uploadNo, [], input.at, '')).approvedLeft, closed: 0 };
      }
    },
  };
}
