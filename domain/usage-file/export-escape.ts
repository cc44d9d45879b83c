import { isPlainDecimal } from './decimal-text';

// Exports are opened in spreadsheet programs, which run a cell starting with `=`, `+`, `-` or `@`
// as a formula (and treat a leading tab or carriage return the same way), so a vendor-supplied
// `=HYPERLINK(...)` would run on the provider's desk (OWASP "CSV injection"). Such text cells are
// prefixed with a single quote, which the spreadsheet shows as plain text.
//
// Decision for numbers: `-5.00` in a numeric column is data, and a quote would corrupt it for
// every consumer. A column declared numeric is therefore left alone *when its value is a plain
// decimal* (digits, optional minus and point: nothing a spreadsheet can execute); anything else in
// a numeric column, e.g. `-1+2` or `=1`, is escaped like text. Text columns are always escaped,
// so a note reading `-5` exports as `'-5`.

export type ExportColumnType = 'text' | 'number';

const FORMULA_TRIGGERS: ReadonlySet<string> = new Set(['=', '+', '-', '@', '\t', '\r']);

/** A text cell safe to open in a spreadsheet: quote-prefixed when it would start a formula. */
export function escapeFormulaText(value: string): string {
  return value.length > 0 && FORMULA_TRIGGERS.has(value.charAt(0)) ? `'${value}` : value;
}

/** An export cell of a column of the given type (see the decision on numbers above). */
export function escapeExportCell(value: string, type: ExportColumnType): string {
  if (type === 'number' && isPlainDecimal(value)) return value;
  return escapeFormulaText(value);
}

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF, with inner quotes doubled. */
export function quoteCsvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One RFC 4180 record, CRLF-terminated; fields are quoted but not formula-escaped. */
export function csvRecord(fields: readonly string[]): string {
  return `${fields.map(quoteCsvField).join(',')}\r\n`;
}

/** One CSV record of export cells: each escaped for its column type, then quoted. */
export function exportCsvRecord(cells: ReadonlyArray<{ readonly value: string; readonly type: ExportColumnType }>): string {
  return csvRecord(cells.map((c) => escapeExportCell(c.value, c.type)));
}
