import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { FileFormatError } from '../../domain/errors';
import { CATEGORIES_SHEET_NAME, RECORDS_SHEET_NAMES } from '../../domain/usage-file/columns';
import { cellText } from './cell-text';
import { formatError } from './format-error';
import { resolveLimits, type SpreadsheetLimits } from './limits';
import { checkRowCount, isBlankRow, readHeaders, toCells, type MaterializedSheet, type SheetReader, type SheetRow } from './sheet-row';
import { readWorkbookParts, type WorkbookSheet } from './xlsx-workbook';
import { checkInflatedSize, entryData, inflateEntry, readZipDirectory, type ZipEntry } from './zip-directory';
import { storedEntry, writeZip, type ZipWriterEntry } from './zip-writer';

// Reading a usage workbook (.xlsx): only the `records` (or `usage_records`) and `categories`
// sheets, into the same rows as the CSV reader. The zip is vetted first (zip-directory.ts); then
// ExcelJS's streaming reader gets a rebuilt zip holding only the parts it needs, in the order it
// needs them (shared strings and styles before sheets, categories before records), so it never
// spills a sheet to a temporary file and never sees an entry we did not check.

export type { MaterializedSheet, SheetReader, SheetRow } from './sheet-row';

export interface UsageWorkbook {
  /** The records sheet, streamed. */
  readonly records: SheetReader;
  /** Its name in the file: `records` or `usage_records`. */
  readonly recordsSheetName: string;
  /** The categories sheet, read completely; null when the workbook has none. */
  readonly categories: MaterializedSheet | null;
}

/** XML parts we parse ourselves (workbook, relationships) are small; a huge one is hostile. */
const MAX_PACKAGE_PART_BYTES = 4 * 1024 * 1024;

/**
 * Opens a usage workbook. Throws FileFormatError (see FILE_FORMAT_CODES) for a file that cannot be
 * read; errors further into the records sheet are thrown by its row iterator.
 */
export async function openUsageXlsx(file: Uint8Array, limits: Partial<SpreadsheetLimits> = {}): Promise<UsageWorkbook> {
  const resolved = resolveLimits(limits);
  if (file.byteLength > resolved.maxFileBytes) {
    throw formatError('FILE_TOO_LARGE', `The file is larger than ${resolved.maxFileBytes} bytes`, { byteOffset: resolved.maxFileBytes });
  }
  const entries = entriesByName(readZipDirectory(file, resolved));
  const parts = readWorkbookParts((path) => packagePartText(file, entries.get(path.toLowerCase())));
  const recordsSheet = pickSheet(parts.sheets, RECORDS_SHEET_NAMES);
  if (!recordsSheet) throw formatError('MISSING_SHEET', `The workbook has no ${RECORDS_SHEET_NAMES.join(' or ')} sheet`);
  const categoriesSheet = pickSheet(parts.sheets, [CATEGORIES_SHEET_NAME]);

  const needed = {
    sharedStrings: optionalEntry(entries, parts.sharedStringsPath),
    styles: optionalEntry(entries, parts.stylesPath),
    categories: categoriesSheet && requiredEntry(entries, categoriesSheet),
    records: requiredEntry(entries, recordsSheet),
  };
  for (const entry of Object.values(needed)) if (entry) await checkInflatedSize(file, entry);

  const zip = writeZip(canonicalWorkbook(file, needed, parts.date1904));
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(zip), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // to recognise date-formatted cells
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const worksheets = reader[Symbol.asyncIterator]();
  const categories = categoriesSheet ? await materialize(await nextWorksheet(worksheets), resolved) : null;
  const records = await openSheet(await nextWorksheet(worksheets), resolved, worksheets);
  return { records, recordsSheetName: recordsSheet.name, categories };
}

function entriesByName(entries: readonly ZipEntry[]): Map<string, ZipEntry> {
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) {
    // Part names are case-insensitive in an Office package; two spellings of one name are a trick.
    const key = entry.name.toLowerCase();
    if (byName.has(key)) throw formatError('ZIP_CORRUPT', `The workbook is damaged: the part ${entry.name} appears twice`);
    byName.set(key, entry);
  }
  return byName;
}

function packagePartText(file: Uint8Array, entry: ZipEntry | undefined): string | undefined {
  if (!entry) return undefined;
  if (entry.uncompressedBytes > MAX_PACKAGE_PART_BYTES) {
    throw formatError('BAD_XLSX', `The workbook part ${entry.name} is larger than ${MAX_PACKAGE_PART_BYTES} bytes`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(inflateEntry(file, entry));
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    throw formatError('BAD_XLSX', `The workbook part ${entry.name} is not UTF-8 text`);
  }
}

/** The one sheet with one of these names (trimmed, any case); two candidates are ambiguous. */
function pickSheet(sheets: readonly WorkbookSheet[], names: readonly string[]): WorkbookSheet | undefined {
  const matches = sheets.filter((s) => names.includes(s.name.trim().toLowerCase()));
  if (matches.length > 1) {
    throw formatError('AMBIGUOUS_SHEET', `The workbook has ${matches.length} sheets named ${names.join(' or ')}; keep one`);
  }
  return matches[0];
}

function optionalEntry(entries: ReadonlyMap<string, ZipEntry>, path: string | undefined): ZipEntry | undefined {
  return path === undefined ? undefined : entries.get(path.toLowerCase());
}

function requiredEntry(entries: ReadonlyMap<string, ZipEntry>, sheet: WorkbookSheet): ZipEntry {
  const entry = entries.get(sheet.path.toLowerCase());
  if (!entry) throw formatError('BAD_XLSX', `The part ${sheet.path} of sheet ${sheet.name} is missing`);
  return entry;
}

const CATEGORIES_PART = 'xl/worksheets/sheet1.xml';
const RECORDS_PART = 'xl/worksheets/sheet2.xml';
const RELATIONSHIP_TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The parts ExcelJS reads, renamed to the standard paths and in the order its stream reader needs. */
function canonicalWorkbook(
  file: Uint8Array,
  needed: { sharedStrings?: ZipEntry; styles?: ZipEntry; categories?: ZipEntry; records: ZipEntry },
  date1904: boolean,
): ZipWriterEntry[] {
  const sheets = [
    ...(needed.categories ? [{ name: 'categories', id: 1 }] : []),
    { name: 'records', id: 2 },
  ];
  const relations = sheets.map((s) => `<Relationship Id="rId${s.id}" Type="${RELATIONSHIP_TYPE}/worksheet" Target="worksheets/sheet${s.id}.xml"/>`);
  const workbook =
    `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${RELATIONSHIP_TYPE}">` +
    `<workbookPr date1904="${date1904 ? 1 : 0}"/><sheets>` +
    sheets.map((s) => `<sheet name="${s.name}" sheetId="${s.id}" r:id="rId${s.id}"/>`).join('') +
    '</sheets></workbook>';
  const copy = (name: string, entry: ZipEntry): ZipWriterEntry => ({
    name,
    method: entry.method,
    crc32: entry.crc32,
    data: entryData(file, entry),
    uncompressedBytes: entry.uncompressedBytes,
  });
  return [
    storedEntry('xl/_rels/workbook.xml.rels', `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${relations.join('')}</Relationships>`),
    storedEntry('xl/workbook.xml', workbook),
    // ExcelJS spills sheets to temporary files until it has seen shared strings: always give it some.
    needed.sharedStrings ? copy('xl/sharedStrings.xml', needed.sharedStrings) : storedEntry('xl/sharedStrings.xml', '<sst/>'),
    ...(needed.styles ? [copy('xl/styles.xml', needed.styles)] : []),
    ...(needed.categories ? [copy(CATEGORIES_PART, needed.categories)] : []),
    copy(RECORDS_PART, needed.records),
  ];
}

type Worksheet = AsyncIterable<ExcelJS.Row>;

async function nextWorksheet(worksheets: AsyncIterator<unknown>): Promise<Worksheet> {
  const next = await excel(() => worksheets.next());
  if (next.done) throw formatError('BAD_XLSX', 'A sheet of the workbook could not be read');
  return next.value as Worksheet;
}

/** Cell texts of a row by column (index 0 = column A), checked against the limits. */
function rowTexts(row: ExcelJS.Row, limits: SpreadsheetLimits): string[] {
  if (row.cellCount > limits.maxColumns) {
    throw formatError('TOO_MANY_COLUMNS', `Row ${row.number} has more than ${limits.maxColumns} columns`, { row: row.number });
  }
  const texts: string[] = new Array<string>(row.cellCount).fill('');
  row.eachCell({ includeEmpty: false }, (cell, columnNumber) => {
    const text = cellText(cell.value);
    if (text.length > limits.maxCellChars) {
      throw formatError('CELL_TOO_LONG', `A cell of row ${row.number} is longer than ${limits.maxCellChars} characters`, {
        row: row.number,
        column: cell.address.replace(/\d+$/, ''),
      });
    }
    texts[columnNumber - 1] = text;
  });
  return texts;
}

async function materialize(sheet: Worksheet, limits: SpreadsheetLimits): Promise<MaterializedSheet> {
  const reader = await openSheet(sheet, limits);
  const rows: SheetRow[] = [];
  for await (const row of reader.rows) rows.push(row);
  return { headers: reader.headers, headerRowNumber: reader.headerRowNumber, rows };
}

/** Headers from the first non-blank row; `after` is drained once the rows are (to let ExcelJS finish). */
async function openSheet(sheet: Worksheet, limits: SpreadsheetLimits, after?: AsyncIterator<unknown>): Promise<SheetReader> {
  const rows = sheet[Symbol.asyncIterator]();
  for (;;) {
    const next = await excel(() => rows.next());
    if (next.done) throw formatError('EMPTY_FILE', 'The sheet has no header row');
    const texts = rowTexts(next.value, limits);
    if (isBlankRow(texts)) continue;
    const headers = readHeaders(texts, next.value.number);
    return { headers, headerRowNumber: next.value.number, rows: dataRows(headers, rows, limits, after) };
  }
}

async function* dataRows(
  headers: readonly string[],
  rows: AsyncIterator<ExcelJS.Row>,
  limits: SpreadsheetLimits,
  after: AsyncIterator<unknown> | undefined,
): AsyncGenerator<SheetRow> {
  let count = 0;
  for (;;) {
    const next = await excel(() => rows.next());
    if (next.done) break;
    const texts = rowTexts(next.value, limits);
    if (isBlankRow(texts)) continue;
    checkRowCount(++count, next.value.number, limits);
    yield { rowNumber: next.value.number, cells: toCells(headers, texts, next.value.number) };
  }
  if (after) while (!(await excel(() => after.next())).done);
}

/** Runs a step of ExcelJS; whatever it throws on a malformed part becomes BAD_XLSX. */
async function excel<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof FileFormatError) throw error;
    throw formatError('BAD_XLSX', `The workbook could not be read: ${(error as Error).message}`);
  }
}
