import type { CellError } from '../../domain/usage-file/cell-error';
import { csvRecord, escapeExportCell, exportCsvRecord, type ExportColumnType } from '../../domain/usage-file/export-escape';
import { HEADER_FONT, writeStreamingWorkbook } from './workbook-buffer';

// Exports of accepted usage (CSV or XLSX) and the CSV list of a file's errors. Everything that
// leaves here is escaped against spreadsheet formula injection (export-escape.ts), in both
// formats: an .xlsx string cell is inert, but the people receiving it save it as CSV. Numeric
// columns stay exact decimal text in both formats; they never become floats.

export interface ExportColumn {
  /** Key of the value in each row. */
  readonly key: string;
  /** Header text; defaults to the key. */
  readonly header?: string;
  readonly type: ExportColumnType;
}

export type ExportRow = Readonly<Record<string, string | null | undefined>>;
export type ExportFormat = 'csv' | 'xlsx';

/** CSV (RFC 4180, CRLF, UTF-8 without BOM) of a file's errors: row,column,code,message. */
export function errorsToCsv(errors: readonly CellError[]): string {
  const lines = [csvRecord(['row', 'column', 'code', 'message'])];
  for (const error of errors) {
    lines.push(
      exportCsvRecord([
        { value: String(error.row), type: 'number' },
        { value: error.column, type: 'text' },
        { value: error.code, type: 'text' },
        { value: error.message, type: 'text' },
      ]),
    );
  }
  return lines.join('');
}

export async function buildExport(
  rows: Iterable<ExportRow> | AsyncIterable<ExportRow>,
  columns: readonly ExportColumn[],
  format: ExportFormat,
): Promise<Buffer> {
  const headers = columns.map((c) => escapeExportCell(c.header ?? c.key, 'text'));
  const cellsOf = (row: ExportRow) =>
    columns.map((c) => escapeExportCell(Object.hasOwn(row, c.key) ? (row[c.key] ?? '') : '', c.type));
  if (format === 'csv') {
    const parts = [csvRecord(headers)];
    for await (const row of rows) parts.push(csvRecord(cellsOf(row)));
    return Buffer.from(parts.join(''), 'utf8');
  }
  return writeStreamingWorkbook(async (workbook) => {
    const sheet = workbook.addWorksheet('records', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c, i) => ({ header: headers[i], width: Math.max(12, (c.header ?? c.key).length + 4) }));
    sheet.getRow(1).font = HEADER_FONT;
    sheet.getRow(1).commit();
    for await (const row of rows) {
      const written = sheet.addRow(cellsOf(row));
      columns.forEach((c, i) => {
        if (c.type === 'number') written.getCell(i + 1).alignment = { horizontal: 'right' };
      });
      written.commit();
    }
    sheet.commit();
  });
}
