import type ExcelJS from 'exceljs';
import type { CellError } from '../../domain/usage-file/cell-error';
import type { RawRow } from '../../domain/usage-file/row-scope';
import { HEADER_FONT, writeStreamingWorkbook, type StreamingWorkbook } from './workbook-buffer';

// The processed file a vendor downloads after an invalid upload (SPEC §1.7, §5 34): the sheets as
// uploaded, each row at its original row number, every failing cell outlined and filled in red
// with a comment saying why, and an `errors` sheet listing every error (also those, like a missing
// column, that have no cell to mark). Cells are written as the text that was read, unescaped: the
// vendor fixes this file and uploads it again, and an .xlsx string cell is never run as a formula.

export interface ProcessedSheet {
  readonly headers: readonly string[];
  /** Defaults to 1. */
  readonly headerRowNumber?: number;
  readonly rows: Iterable<RawRow> | AsyncIterable<RawRow>;
  /** Errors of this sheet; `row`/`column` locate the cell. */
  readonly errors: readonly CellError[];
}

export interface ProcessedFileInput {
  readonly records: ProcessedSheet;
  readonly categories?: ProcessedSheet;
  /** Lines of the general sheet (e.g. report name, period, schema), as [field, value]. */
  readonly general?: ReadonlyArray<readonly [string, string]>;
}

const ERROR_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
const RED_EDGE: Partial<ExcelJS.Border> = { style: 'medium', color: { argb: 'FFFF0000' } };
const ERROR_BORDER: Partial<ExcelJS.Borders> = { top: RED_EDGE, left: RED_EDGE, bottom: RED_EDGE, right: RED_EDGE };

export async function buildProcessedFile(input: ProcessedFileInput): Promise<Buffer> {
  return writeStreamingWorkbook(async (workbook) => {
    if (input.general) {
      const sheet = workbook.addWorksheet('general');
      sheet.addRow(['field', 'value']).commit();
      for (const line of input.general) sheet.addRow([...line]).commit();
      sheet.commit();
    }
    if (input.categories) await writeMarkedSheet(workbook, 'categories', input.categories);
    await writeMarkedSheet(workbook, 'records', input.records);
    writeErrorsSheet(workbook, [
      ...(input.categories?.errors ?? []).map((e) => ({ sheet: 'categories', ...e })),
      ...input.records.errors.map((e) => ({ sheet: 'records', ...e })),
    ]);
  });
}

async function writeMarkedSheet(workbook: StreamingWorkbook, name: string, sheet: ProcessedSheet): Promise<void> {
  const worksheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: sheet.headerRowNumber ?? 1 }] });
  const columnOf = new Map(sheet.headers.map((h, i) => [h, i + 1]));
  const errorsByRow = groupByRow(sheet.errors);
  const markRow = (row: ExcelJS.Row) => {
    for (const [column, messages] of errorsByRow.get(row.number) ?? []) {
      const columnNumber = columnOf.get(column);
      if (columnNumber === undefined) continue; // e.g. a missing column: listed on the errors sheet only
      const cell = row.getCell(columnNumber);
      cell.fill = ERROR_FILL;
      cell.border = ERROR_BORDER;
      cell.note = messages.join('\n');
    }
    row.commit();
  };

  const header = worksheet.getRow(sheet.headerRowNumber ?? 1);
  header.values = [...sheet.headers];
  header.font = HEADER_FONT;
  markRow(header);
  for await (const row of sheet.rows) {
    const written = worksheet.getRow(row.rowNumber);
    written.values = sheet.headers.map((h) => (Object.hasOwn(row.cells, h) ? (row.cells[h] ?? '') : ''));
    markRow(written);
  }
  worksheet.commit();
}

function groupByRow(errors: readonly CellError[]): Map<number, Map<string, string[]>> {
  const byRow = new Map<number, Map<string, string[]>>();
  for (const error of errors) {
    let columns = byRow.get(error.row);
    if (!columns) byRow.set(error.row, (columns = new Map()));
    const messages = columns.get(error.column);
    if (messages) messages.push(error.message);
    else columns.set(error.column, [error.message]);
  }
  return byRow;
}

function writeErrorsSheet(workbook: StreamingWorkbook, errors: ReadonlyArray<CellError & { sheet: string }>): void {
  const worksheet = workbook.addWorksheet('errors', { views: [{ state: 'frozen', ySplit: 1 }] });
  worksheet.columns = [
    { header: 'sheet', width: 12 },
    { header: 'row', width: 8 },
    { header: 'column', width: 24 },
    { header: 'code', width: 24 },
    { header: 'message', width: 100 },
  ];
  worksheet.getRow(1).font = HEADER_FONT;
  worksheet.getRow(1).commit();
  for (const error of errors) worksheet.addRow([error.sheet, error.row, error.column, error.code, error.message]).commit();
  worksheet.commit();
}
