import { CsvRecordParser, type CsvRecord } from './csv-parser';
export type { CsvRecord } from './csv-parser';
import { formatError } from './format-error';
import { resolveLimits, type SpreadsheetLimits } from './limits';
import { checkRowCount, isBlankRow, readHeaders, toCells, type SheetReader, type SheetRow } from './sheet-row';
import { StrictUtf8Decoder } from './utf8';

// Streaming CSV reading: bytes in (a Buffer, or any sync/async iterable of chunks such as a Node
// Readable), rows of header → cell maps out, with spreadsheet row numbers. Memory is bounded by
// one chunk plus one unfinished record whatever the file holds; every limit fails fast with a
// FileFormatError that says where.

export type ByteSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
export type { SheetReader, SheetRow } from './sheet-row';

/** Chunks are decoded and scanned in slices of at most this size: small batches die young (cheap GC). */
const SLICE_BYTES = 64 * 1024;

/**
 * Reads the header row (the first non-blank record) and returns the headers with an iterable of
 * the data rows. Throws FileFormatError for a file that cannot be read (see FILE_FORMAT_CODES);
 * errors further into the file are thrown by the row iterator.
 */
export async function openCsv(source: ByteSource, limits: Partial<SpreadsheetLimits> = {}): Promise<SheetReader> {
  const resolved = resolveLimits(limits);
  const batches = csvRecordBatches(source, resolved)[Symbol.asyncIterator]();
  for (;;) {
    const next = await batches.next();
    if (next.done) throw formatError('EMPTY_FILE', 'The file has no header row');
    const headerIndex = next.value.findIndex((r) => !isBlankRow(r.fields));
    const header = next.value[headerIndex];
    if (header === undefined) continue;
    const headers = readHeaders(header.fields, header.rowNumber);
    const rest = next.value.slice(headerIndex + 1);
    return { headers, headerRowNumber: header.rowNumber, rows: dataRows(headers, rest, batches, resolved) };
  }
}

async function* dataRows(
  headers: readonly string[],
  first: readonly CsvRecord[],
  batches: AsyncIterator<CsvRecord[]>,
  limits: SpreadsheetLimits,
): AsyncGenerator<SheetRow> {
  let count = 0;
  let batch: readonly CsvRecord[] = first;
  for (;;) {
    for (const record of batch) {
      if (isBlankRow(record.fields)) continue;
      checkRowCount(++count, record.rowNumber, limits);
      yield { rowNumber: record.rowNumber, cells: toCells(headers, record.fields, record.rowNumber) };
    }
    const next = await batches.next();
    if (next.done) return;
    batch = next.value;
  }
}

/**
 * The data records of one range of a CSV (lib/spreadsheet/csv-ranges), in batches, fields as read:
 * records up to the header row and blank records are left out. Row numbers and byte offsets in
 * errors are those of the whole file.
 */
export async function* csvRangeRecords(
  source: ByteSource,
  range: { readonly firstRow: number; readonly fromByte: number },
  headerRowNumber: number,
  limits: Partial<SpreadsheetLimits> = {},
): AsyncGenerator<CsvRecord[]> {
  for await (const batch of csvRecordBatches(source, resolveLimits(limits), range)) {
    yield batch.filter((r) => r.rowNumber > headerRowNumber && !isBlankRow(r.fields));
  }
}

/** Records of the source (the whole file, or a range starting at `start`), one batch per decoded slice. */
async function* csvRecordBatches(source: ByteSource, limits: SpreadsheetLimits, start = { firstRow: 1, fromByte: 0 }): AsyncGenerator<CsvRecord[]> {
  if (source instanceof Uint8Array) checkSize(source.byteLength, limits);
  const decoder = new StrictUtf8Decoder(start.fromByte);
  const parser = new CsvRecordParser(limits, start.firstRow);
  let totalBytes = 0;
  for await (const slice of slices(source)) {
    totalBytes += slice.byteLength;
    checkSize(totalBytes, limits);
    yield decodeAndParse(decoder, parser, slice, false);
  }
  yield decodeAndParse(decoder, parser, new Uint8Array(0), true);
}

function decodeAndParse(decoder: StrictUtf8Decoder, parser: CsvRecordParser, bytes: Uint8Array, final: boolean): CsvRecord[] {
  const { text, invalidByteOffset } = decoder.decode(bytes, final);
  // The text before a bad byte is parsed first, so the error can name the row the byte is in.
  const records = parser.push(text, final && invalidByteOffset === undefined, invalidByteOffset !== undefined);
  if (invalidByteOffset !== undefined) {
    const row = parser.currentRowNumber;
    throw formatError('INVALID_UTF8', `The file is not valid UTF-8: byte ${invalidByteOffset} (in row ${row}) does not decode`, {
      row,
      byteOffset: invalidByteOffset,
    });
  }
  return records;
}

function checkSize(bytes: number, limits: SpreadsheetLimits): void {
  if (bytes > limits.maxFileBytes) {
    throw formatError('FILE_TOO_LARGE', `The file is larger than ${limits.maxFileBytes} bytes`, { byteOffset: limits.maxFileBytes });
  }
}

async function* slices(source: ByteSource): AsyncGenerator<Uint8Array> {
  const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = source instanceof Uint8Array ? [source] : source;
  for await (const chunk of chunks) {
    for (let start = 0; start < chunk.byteLength; start += SLICE_BYTES) {
      yield chunk.subarray(start, start + SLICE_BYTES);
    }
  }
}
