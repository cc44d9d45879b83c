import { formatError } from './format-error';
import type { SpreadsheetLimits } from './limits';
import { columnLetter } from './sheet-row';

// An RFC 4180 record scanner over decoded text, fed chunk by chunk. Records end at LF, CRLF or a
// lone CR; fields are separated by commas and may be quoted ("" inside quotes is one quote). Every
// record counts as a spreadsheet row, blank ones included, so row numbers match what a
// spreadsheet program shows. Limits are checked while scanning, field by field, so a row of a
// million columns is refused after `maxColumns` fields, not after it has been materialised.

export interface CsvRecord {
  readonly rowNumber: number;
  readonly fields: string[];
}

const COMMA = 0x2c;
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;
const END = -1;
const INCOMPLETE = Symbol('incomplete');

interface PlainRecord {
  readonly fields: string[];
  readonly end: number;
}

/** Next quote / CR at or after an offset, each found once per stretch with the native indexOf. */
class SpecialMarks {
  private quote = -2;
  private carriageReturn = -2;
  constructor(private readonly text: string) {}

  nextQuote(from: number): number {
    if (this.quote !== -1 && this.quote < from) this.quote = this.text.indexOf('"', from);
    return this.quote;
  }

  nextCarriageReturn(from: number): number {
    if (this.carriageReturn !== -1 && this.carriageReturn < from) this.carriageReturn = this.text.indexOf('\r', from);
    return this.carriageReturn;
  }
}

export class CsvRecordParser {
  /** Text of the record that the last chunk left unfinished. */
  private pending = '';
  /** Length of `pending` when it was last scanned (it has grown since if scanning was deferred). */
  private scannedPendingLength = 0;
  private nextRowNumber: number;
  /** Past the file's first character (where a byte-order mark is dropped). */
  private started: boolean;
  /** Column of the quoted value the last chunk ended in, if it did: the likely culprit of a runaway row. */
  private openQuoteColumn: string | undefined;

  /** `firstRowNumber` > 1: the text starts at that record, inside the file (a range read on its own). */
  constructor(private readonly limits: SpreadsheetLimits, firstRowNumber = 1) {
    this.nextRowNumber = firstRowNumber;
    this.started = firstRowNumber > 1;
  }

  /** Row number of the record being scanned (the one the next byte belongs to). */
  get currentRowNumber(): number {
    return this.nextRowNumber;
  }

  /**
   * Completed records of the text so far; with `final`, the rest must form complete records.
   * While one long record is unfinished, scanning waits until the text has doubled, so a record
   * spread over many chunks is rescanned a logarithmic, not linear, number of times. `eager`
   * scans now (the caller needs `currentRowNumber` to be exact).
   */
  push(chunk: string, final: boolean, eager = false): CsvRecord[] {
    let text = this.pending + chunk;
    if (!final && !eager && text.length < 2 * this.scannedPendingLength) {
      this.pending = text;
      return [];
    }
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    const records: CsvRecord[] = [];
    const marks = new SpecialMarks(text);
    let position = 0;
    while (position < text.length) {
      this.openQuoteColumn = undefined;
      const plain = this.plainRecord(text, position, final, marks);
      if (plain === INCOMPLETE) break;
      if (plain !== undefined) {
        records.push({ rowNumber: this.nextRowNumber++, fields: plain.fields });
        position = plain.end;
        continue;
      }
      const fields: string[] = [];
      const end = this.scanRecord(text, position, final, fields);
      if (end === undefined) break;
      records.push({ rowNumber: this.nextRowNumber++, fields });
      position = end;
    }
    this.pending = text.slice(position);
    this.scannedPendingLength = this.pending.length;
    if (this.pending.length > this.limits.maxRowChars) throw this.rowTooLong();
    return records;
  }

  /**
   * The fast path: a record on one line with no quote and no lone CR is split with the native
   * `split` (bounded to maxColumns + 1 pieces). Undefined sends the record to the full scanner.
   */
  private plainRecord(text: string, start: number, final: boolean, marks: SpecialMarks): PlainRecord | typeof INCOMPLETE | undefined {
    const newline = text.indexOf('\n', start);
    const lineEnd = newline >= 0 ? newline : text.length;
    const quote = marks.nextQuote(start);
    if (quote >= 0 && quote < lineEnd) return undefined;
    let contentEnd = lineEnd;
    const carriageReturn = marks.nextCarriageReturn(start);
    if (carriageReturn >= 0 && carriageReturn < lineEnd) {
      if (carriageReturn !== lineEnd - 1 || newline < 0) return undefined;
      contentEnd = lineEnd - 1;
    }
    if (contentEnd - start > this.limits.maxRowChars) throw this.rowTooLong();
    if (newline < 0 && !final) {
      // Refuse a runaway row by its column count as soon as it shows, not only when it ends.
      this.checkColumnCount(text, start, contentEnd);
      return INCOMPLETE;
    }
    const fields = text.slice(start, contentEnd).split(',', this.limits.maxColumns + 1);
    if (fields.length > this.limits.maxColumns) throw this.tooManyColumns();
    if (contentEnd - start > this.limits.maxCellChars) fields.forEach((f, i) => this.checkCellLength(f, i));
    return { fields, end: newline >= 0 ? newline + 1 : text.length };
  }

  private checkColumnCount(text: string, start: number, end: number): void {
    let position = start;
    for (let commas = 0; commas < this.limits.maxColumns; commas++) {
      const comma = text.indexOf(',', position);
      if (comma < 0 || comma >= end) return;
      position = comma + 1;
    }
    throw this.tooManyColumns();
  }

  private checkCellLength(value: string, columnIndex: number): void {
    if (value.length <= this.limits.maxCellChars) return;
    throw formatError('CELL_TOO_LONG', `A cell of row ${this.nextRowNumber} is longer than ${this.limits.maxCellChars} characters`, {
      row: this.nextRowNumber,
      column: columnLetter(columnIndex),
    });
  }

  private tooManyColumns() {
    return formatError('TOO_MANY_COLUMNS', `Row ${this.nextRowNumber} has more than ${this.limits.maxColumns} columns`, {
      row: this.nextRowNumber,
    });
  }

  /** Scans one record into `fields`; its end offset, or undefined when the text stops inside it. */
  private scanRecord(text: string, start: number, final: boolean, fields: string[]): number | undefined {
    const length = text.length;
    let position = start;
    for (;;) {
      if (position - start > this.limits.maxRowChars) throw this.rowTooLong();
      let value: string;
      let next: number;
      if (position < length && text.charCodeAt(position) === QUOTE) {
        const quoted = this.scanQuoted(text, position, final, fields.length);
        if (quoted === undefined) return undefined;
        [value, position] = quoted;
        next = position < length ? text.charCodeAt(position) : END;
        if (next !== COMMA && next !== LF && next !== CR && next !== END) {
          throw this.badQuote(fields.length, 'has text after its closing quote');
        }
      } else {
        let scan = position;
        next = END;
        while (scan < length) {
          const code = text.charCodeAt(scan);
          if (code === COMMA || code === LF || code === CR) {
            next = code;
            break;
          }
          if (code === QUOTE) throw this.badQuote(fields.length, 'has a quote inside an unquoted value; quote the whole value and double the inner quotes');
          scan++;
        }
        value = text.slice(position, scan);
        position = scan;
      }
      this.checkCellLength(value, fields.length);
      fields.push(value);
      if (fields.length > this.limits.maxColumns) throw this.tooManyColumns();
      if (next === COMMA) {
        position++;
        continue;
      }
      return this.recordEnd(text, position, next, final);
    }
  }

  /** Offset after the line break at `position`, or undefined when more text could change it. */
  private recordEnd(text: string, position: number, next: number, final: boolean): number | undefined {
    if (next === END) return final ? position : undefined;
    if (next === LF) return position + 1;
    // CR: a CRLF pair is one break; wait for the next chunk when the CR is the last character.
    if (position + 1 >= text.length) return final ? position + 1 : undefined;
    return text.charCodeAt(position + 1) === LF ? position + 2 : position + 1;
  }

  /** A quoted value starting at `start`: [value, offset after the closing quote]. */
  private scanQuoted(text: string, start: number, final: boolean, columnIndex: number): [string, number] | undefined {
    let value = '';
    let segment = start + 1;
    for (;;) {
      const quote = text.indexOf('"', segment);
      if (quote < 0 || (quote + 1 >= text.length && !final)) {
        const column = columnLetter(columnIndex);
        if (!final) {
          this.openQuoteColumn = column;
          return undefined;
        }
        throw formatError(
          'UNTERMINATED_QUOTE',
          `The quote that opens column ${column} of row ${this.nextRowNumber} is never closed`,
          { row: this.nextRowNumber, column },
        );
      }
      if (text.charCodeAt(quote + 1) === QUOTE) {
        value += text.slice(segment, quote + 1);
        segment = quote + 2;
        continue;
      }
      return [value + text.slice(segment, quote), quote + 1];
    }
  }

  private badQuote(columnIndex: number, what: string) {
    const column = columnLetter(columnIndex);
    return formatError('BAD_QUOTE', `Column ${column} of row ${this.nextRowNumber} ${what}`, { row: this.nextRowNumber, column });
  }

  private rowTooLong() {
    const hint = this.openQuoteColumn ? `; the quote that opens its column ${this.openQuoteColumn} may never be closed` : '';
    return formatError('ROW_TOO_LONG', `Row ${this.nextRowNumber} is longer than ${this.limits.maxRowChars} characters${hint}`, {
      row: this.nextRowNumber,
    });
  }
}
