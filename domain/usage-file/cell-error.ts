// The error vocabulary of a usage sheet's cells. Each failing cell gets one CellError; the
// processed file outlines that cell in red and carries `message` as its comment. Codes are stable:
// the API, the processed file and the tests match on them, never on the wording.

export const CELL_ERROR_CODES = [
  'MISSING_COLUMN', // a required column is not in the header row
  'REQUIRED', // a required cell is empty
  'FORBIDDEN_CHARACTERS', // high-ASCII / control characters or an HTML tag
  'BAD_NUMBER', // not a plain decimal number
  'PRECISION', // more decimals than the item's precision allows
  'BAD_TIER', // tier is not a small non-negative integer
  'BAD_TIME', // not YYYY-MM-DD hh:mm:ss or not a real date and time
  'START_AFTER_END',
  'OUT_OF_PERIOD', // outside the file period and late/future charges are off
  'FUTURE_CHARGE', // ends after the upload and future charges are off
  'BAD_CRITERIA', // not one of the accepted search macros
  'ITEM_NOT_FOUND',
  'ITEM_AMBIGUOUS',
  'DYNAMIC_ITEMS_DISABLED', // an unknown item described for creation, but the product has dynamic items off
  'BAD_ITEM_PRECISION', // item_precision of a dynamic item is not an accepted precision
  'ITEM_MPN_MISMATCH', // item_mpn of a dynamic item differs from the searched MPN
  'DYNAMIC_ITEM_CONFLICT', // one new MPN described differently on two rows
  'ASSET_NOT_FOUND',
  'ASSET_AMBIGUOUS',
  'ASSET_RECON_MISMATCH', // asset_recon_id names another asset than the search columns
  'UNKNOWN_CATEGORY',
  'DUPLICATE_RECORD_ID',
  'DUPLICATE_CATEGORY_ID',
] as const;
export type CellErrorCode = (typeof CELL_ERROR_CODES)[number];

export interface CellError {
  /** 1-based spreadsheet row, the header row included (the first data row is 2). */
  readonly row: number;
  /** Header of the column as written in the file (e.g. `usage_record_id`), or the missing column's name. */
  readonly column: string;
  readonly code: CellErrorCode;
  /** For the vendor: names the value and says what is expected. */
  readonly message: string;
}

/** Quotes a cell value for a message, shortened so one absurd cell cannot bloat the error list. */
export function quoteValue(value: string): string {
  const maxChars = 60;
  return value.length > maxChars ? `'${value.slice(0, maxChars)}…'` : `'${value}'`;
}

/** Orders errors as a reader scans a sheet: by row, then by the column's position in the header. */
export function sortCellErrors(errors: readonly CellError[], headers: readonly string[]): CellError[] {
  const position = new Map(headers.map((h, i) => [h, i]));
  const columnRank = (c: string) => position.get(c) ?? headers.length;
  return [...errors].sort((a, b) => a.row - b.row || columnRank(a.column) - columnRank(b.column));
}
