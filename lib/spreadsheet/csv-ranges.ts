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

/** About 40,000 rows of a typical usage file: enough ranges to keep Postgres and Node busy together. */
export const DEFAULT_RANGE_BYTES = 4 * 1024 * 1024;

/**
 * Finds the ranges while the stored chunks go by (the upload does it as it stores them): push
 * every chunk in order, then `finish`. Ranges are about `rangeBytes` each (at least one range).
 */
export class CsvSplitter {
  private readonly ranges: CsvRange[] = [];
  private from: BytePosition = { chunk: 0, offset: 0 };
  private fromByte = 0;
  private firstRow = 1;
  private row = 1;
  private inQuote = false;
  private crAtEnd = false;
  private base = 0;
  private nextCut: number;
  private chunkNo = -1;
  private lastLength = 0;
  /** Set once the file turns out not to be splittable. */
  private unsplittable = false;

  constructor(private readonly rangeBytes: number, private readonly maxRecords: number) {
    this.nextCut = rangeBytes;
  }

  push(bytes: Uint8Array): void {
    this.chunkNo++;
    this.lastLength = bytes.length;
    if (this.unsplittable) return;
    if (this.crAtEnd && bytes[0] !== LF) return this.giveUp();
    this.crAtEnd = false;
    if (!this.inQuote && bytes.indexOf(QUOTE) < 0) {
      for (let i = bytes.indexOf(CR); i >= 0; i = bytes.indexOf(CR, i + 1)) {
        if (i + 1 === bytes.length) this.crAtEnd = true;
        else if (bytes[i + 1] !== LF) return this.giveUp();
      }
      for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) this.recordEnd(i + 1);
    } else {
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i];
        if (byte === QUOTE) this.inQuote = !this.inQuote;
        else if (this.inQuote) continue;
        else if (byte === LF) this.recordEnd(i + 1);
        else if (byte === CR) {
          if (i + 1 === bytes.length) this.crAtEnd = true;
          else if (bytes[i + 1] !== LF) return this.giveUp();
        }
      }
    }
    if (this.row > this.maxRecords + 1) return this.giveUp();
    this.base += bytes.length;
  }

  /** The ranges, or undefined when the file is not split. */
  finish(): CsvRange[] | undefined {
    if (this.unsplittable) return undefined;
    const end = { chunk: Math.max(this.chunkNo, 0), offset: this.lastLength };
    const { from } = this;
    if (this.ranges.length === 0 || from.chunk !== end.chunk || from.offset !== end.offset) {
      this.ranges.push({ from, to: end, fromByte: this.fromByte, firstRow: this.firstRow, endRow: this.row + 1 });
    }
    return this.ranges;
  }

  private giveUp(): void {
    this.unsplittable = true;
  }

  /** A record ended just before `offset` of the current chunk. */
  private recordEnd(offset: number): void {
    this.row++;
    if (this.base + offset < this.nextCut) return;
    const to = { chunk: this.chunkNo, offset };
    this.ranges.push({ from: this.from, to, fromByte: this.fromByte, firstRow: this.firstRow, endRow: this.row });
    this.from = to;
    this.fromByte = this.base + offset;
    this.firstRow = this.row;
    this.nextCut = this.base + offset + this.rangeBytes;
  }
}

/** Ranges of a stored file (see CsvSplitter), or undefined when the file is not split. */
export async function splitCsv(chunks: AsyncIterable<Uint8Array>, rangeBytes: number, maxRecords: number): Promise<CsvRange[] | undefined> {
  const splitter = new CsvSplitter(rangeBytes, maxRecords);
  for await (const bytes of chunks) splitter.push(bytes);
  return splitter.finish();
}

/** The bytes of one range, given the stored chunks from `range.from.chunk` to `range.to.chunk` in order. */
export async function* rangeBytes(chunks: AsyncIterable<{ chunkNo: number; data: Uint8Array }>, range: Pick<CsvRange, 'from' | 'to'>): AsyncGenerator<Uint8Array> {
  for await (const { chunkNo, data } of chunks) {
    const start = chunkNo === range.from.chunk ? range.from.offset : 0;
    const end = chunkNo === range.to.chunk ? range.to.offset : data.length;
    if (end > start) yield data.subarray(start, end);
  }
}
