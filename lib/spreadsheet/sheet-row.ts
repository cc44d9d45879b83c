import { formatError } from './format-error';
import type { SpreadsheetLimits } from './limits';

// The row shape every reader produces, and the header rules they share. Cells live on objects
// without a prototype and header names that could reach Object.prototype are refused, so no file
// can pollute a prototype whatever its headers.

export type CellMap = Readonly<Record<string, string>>;

export interface SheetRow {
  /** 1-based spreadsheet row number (the header is row 1 in a well-formed file). */
  readonly rowNumber: number;
  /** Header → cell text ('' when empty); a null-prototype object with exactly the header keys. */
  readonly cells: CellMap;
}

export interface SheetReader {
  readonly headers: readonly string[];
  readonly headerRowNumber: number;
  /** Data rows in order; all-blank rows are skipped (their numbers are not reused). Iterable once. */
  readonly rows: AsyncIterable<SheetRow>;
}

/** A sheet read completely (the categories sheet is small and needed before any record). */
export interface MaterializedSheet {
  readonly headers: readonly string[];
  readonly headerRowNumber: number;
  readonly rows: readonly SheetRow[];
}

const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Spreadsheet column letter of a 0-based column index: 0 → A, 26 → AA. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/**
 * Header names from the header row's cells, trimmed. Trailing empty cells are dropped; an empty
 * header before the last named one, a repeated name, or a prototype-reaching name is refused.
 */
export function readHeaders(cells: readonly string[], rowNumber: number): string[] {
  const headers = cells.map((c) => c.trim());
  while (headers.length > 0 && headers[headers.length - 1] === '') headers.pop();
  const seen = new Set<string>();
  headers.forEach((header, index) => {
    const location = { row: rowNumber, column: columnLetter(index) };
    if (header === '') {
      throw formatError('EMPTY_HEADER', `The header of column ${location.column} is empty`, location);
    }
    if (FORBIDDEN_HEADERS.has(header)) {
      throw formatError('FORBIDDEN_HEADER', `The header ${header} in column ${location.column} is not allowed`, location);
    }
    if (seen.has(header)) {
      throw formatError('DUPLICATE_HEADER', `The header ${header} appears twice (again in column ${location.column})`, location);
    }
    seen.add(header);
  });
  return headers;
}

/** The cells of a data row: one entry per header; a value right of the last header is refused. */
export function toCells(headers: readonly string[], values: readonly string[], rowNumber: number): CellMap {
  const cells = Object.create(null) as Record<string, string>;
  for (let i = 0; i < headers.length; i++) {
    cells[headers[i] as string] = i < values.length ? (values[i] as string) : '';
  }
  for (let i = headers.length; i < values.length; i++) {
    if ((values[i] as string).trim() !== '') {
      const column = columnLetter(i);
      throw formatError('CELL_WITHOUT_HEADER', `Row ${rowNumber} has a value in column ${column}, which has no header`, {
        row: rowNumber,
        column,
      });
    }
  }
  return cells;
}

export function isBlankRow(values: readonly string[]): boolean {
  for (const value of values) if (value.length > 0 && value.trim() !== '') return false;
  return true;
}

/** Counts data rows against the limit. */
export function checkRowCount(count: number, rowNumber: number, limits: SpreadsheetLimits): void {
  if (count > limits.maxRows) {
    throw formatError('TOO_MANY_ROWS', `The sheet has more than ${limits.maxRows} data rows`, { row: rowNumber });
  }
}
