// Hard limits on what an uploaded spreadsheet may make us do. Every reader enforces them while it
// streams, before it builds anything from the bytes, so a hostile file costs bounded time and
// memory. Callers may tighten (or, for a trusted feed, loosen) them per call.

export interface SpreadsheetLimits {
  /** Uploaded bytes (the .csv, or the compressed .xlsx). */
  readonly maxFileBytes: number;
  /** Data rows, the header not counted (Excel's own limit is 1,048,575). */
  readonly maxRows: number;
  /** Cells in one row, the header row included. */
  readonly maxColumns: number;
  /** Characters in one cell (Excel's own limit is 32,767). */
  readonly maxCellChars: number;
  /** Characters in one CSV record, quoted line breaks included. */
  readonly maxRowChars: number;
  /** Entries in the .xlsx zip. */
  readonly maxZipEntries: number;
  /** Declared uncompressed bytes of all zip entries together, and of any one entry. */
  readonly maxUncompressedBytes: number;
  /** Uncompressed : compressed ratio allowed for an entry of at least `ratioCheckFromBytes`. */
  readonly maxCompressionRatio: number;
  /** Entries smaller than this are not ratio-checked (tiny XML parts compress extremely well). */
  readonly ratioCheckFromBytes: number;
}

const MIB = 1024 * 1024;

export const DEFAULT_LIMITS: SpreadsheetLimits = {
  maxFileBytes: 256 * MIB,
  maxRows: 1_048_575,
  maxColumns: 512,
  maxCellChars: 32_767,
  maxRowChars: 1 * MIB,
  maxZipEntries: 1_000,
  maxUncompressedBytes: 768 * MIB,
  maxCompressionRatio: 100,
  ratioCheckFromBytes: 1 * MIB,
};

/**
 * A usage file's CSV has no sheet behind it, so Excel's row limit does not apply: the upload's own
 * size limit (UPLOAD_MAX_BYTES, enforced as it streams in) bounds it, and rows stay far inside the
 * database's integer row numbers. Every other per-row and per-cell limit still holds.
 */
export const USAGE_CSV_LIMITS = { maxFileBytes: Number.MAX_SAFE_INTEGER, maxRows: 100_000_000 } satisfies Partial<SpreadsheetLimits>;

export function resolveLimits(overrides: Partial<SpreadsheetLimits> = {}): SpreadsheetLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
