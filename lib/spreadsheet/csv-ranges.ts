// Splits a stored CSV into byte ranges that start and end on record boundaries, each with the row
// number of its first record, so that ranges can be parsed in parallel and still number their rows
// as the whole file does. Only line breaks and quotes are looked at (a quote toggles "inside a
// value", so "" inside quotes counts twice): well-formed files split exactly, and in a malformed
// one the first range that fails to parse holds the first fault. A file with a lone CR line break,
// or more records than a sheet may have, is not split (undefined): it is read in one pass, which
// numbers such rows and reports the limit exactly.

/** A place in the stored upload: byte `offset` of stored chunk `chunk`. */
export interface BytePosition {
  readonly chunk: number;
  readonly offset: number;
}

export interface CsvRange {
  /** First byte (inclusive) and end (exclusive). */
  readonly from: BytePosition;
  readonly to: BytePosition;
  /** Offset of `from` in the whole file (for error messages that name a byte). */
  readonly fromByte: number;
  /** Row number of the range's first record (1 for the first range: the header row is in it). */
  readonly firstRow: number;
  /** Row number after the range's last record. */
  readonly endRow: number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Ranges of about `rangeBytes` each (at least one range), or undefined when the file is not split. */
export async function splitCsv(chunks: AsyncIterable<Uint8Array>, rangeBytes: number, maxRecords: number): Promise<CsvRange[] | undefined> {
  const ranges: CsvRange[] = [];
  let from: BytePosition = { chunk: 0, offset: 0 };
  let fromByte = 0;
  let firstRow = 1;
  let row = 1;
  let inQuote = false;
  let crAtEnd = false;
  let base = 0;
  let nextCut = rangeBytes;
  let chunkNo = -1;
  let last: Uint8Array = new Uint8Array(0);
  /** A record ended just before `offset` of the current chunk. */
  const recordEnd = (offset: number) => {
    row++;
    if (base + offset < nextCut) return;
    const to = { chunk: chunkNo, offset };
    ranges.push({ from, to, fromByte, firstRow, endRow: row });
    from = to;
    fromByte = base + offset;
    firstRow = row;
    nextCut = base + offset + rangeBytes;
  };
  for await (const bytes of chunks) {
    chunkNo++;
    last = bytes;
    if (crAtEnd && bytes[0] !== LF) return undefined;
    crAtEnd = false;
    if (!inQuote && bytes.indexOf(QUOTE) < 0) {
      for (let i = bytes.indexOf(CR); i >= 0; i = bytes.indexOf(CR, i + 1)) {
        if (i + 1 === bytes.length) crAtEnd = true;
        else if (bytes[i + 1] !== LF) return undefined;
      }
      for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) recordEnd(i + 1);
    } else {
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i];
        if (byte === QUOTE) inQuote = !inQuote;
        else if (inQuote) continue;
        else if (byte === LF) recordEnd(i + 1);
        else if (byte === CR) {
          if (i + 1 === bytes.length) crAtEnd = true;
          else if (bytes[i + 1] !== LF) return undefined;
        }
      }
    }
    if (row > maxRecords + 1) return undefined;
    base += bytes.length;
  }
  const end = { chunk: Math.max(chunkNo, 0), offset: last.length };
  if (ranges.length === 0 || from.chunk !== end.chunk || from.offset !== end.offset) ranges.push({ from, to: end, fromByte, firstRow, endRow: row + 1 });
  return ranges;
}

/** The bytes of one range, given the stored chunks from `range.from.chunk` to `range.to.chunk` in order. */
export async function* rangeBytes(chunks: AsyncIterable<{ chunkNo: number; data: Uint8Array }>, range: Pick<CsvRange, 'from' | 'to'>): AsyncGenerator<Uint8Array> {
  for await (const { chunkNo, data } of chunks) {
    const start = chunkNo === range.from.chunk ? range.from.offset : 0;
    const end = chunkNo === range.to.chunk ? range.to.offset : data.length;
    if (end > start) yield data.subarray(start, end);
  }
}
