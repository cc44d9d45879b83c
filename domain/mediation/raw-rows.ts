// Raw input text -> raw rows, for the three feed formats: delimited text (any delimiter, optional
// quote, header row or configured columns), JSON lines, fixed width. Streaming: push decoded text
// in any chunks, get the completed rows; memory is one unfinished record. Byte decoding, size and
// row limits belong to the caller (lib/spreadsheet does them for uploads).
import type { FeedFormat } from './feed-schema';
import type { RawRow } from './record';

export type ParsedRow =
  | { ok: true; lineNumber: number; row: RawRow }
  | { ok: false; lineNumber: number; code: 'COLUMN_COUNT' | 'INVALID_JSON' | 'UNCLOSED_QUOTE'; message: string };

export interface RawRowParser {
  /** Rows completed by this chunk of text. */
  push(text: string): ParsedRow[];
  /** Rows left at the end of the input (a last line without a newline). */
  finish(): ParsedRow[];
}

type Delimited = Extract<FeedFormat, { kind: 'delimited' }>;
type FixedWidth = Extract<FeedFormat, { kind: 'fixedWidth' }>;

/** A quoted value opening at `open`: its text and the index after the closing quote; null when the text ends first. */
function quotedValue(text: string, open: number, quote: string): { value: string; after: number } | null {
  let close = text.indexOf(quote, open + 1);
  if (close < 0) return null;
  // The common case: no doubled quote inside, one slice.
  if (text[close + 1] !== quote) return { value: text.slice(open + 1, close), after: close + 1 };
  let value = '';
  let from = open + 1;
  for (;;) {
    if (close < 0) return null;
    if (text[close + 1] === quote) {
      value += text.slice(from, close + 1);
      from = close + 2;
      close = text.indexOf(quote, from);
      continue;
    }
    return { value: value + text.slice(from, close), after: close + 1 };
  }
}

function countLines(text: string, from: number, to: number): number {
  let lines = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) lines++;
  return lines;
}

/**
 * One record of delimited text with quotes, starting at `start`: its fields, where the next record
 * begins, and how many physical lines it spans; null when the text ends inside it (more may come).
 */
function scanQuoted(text: string, start: number, delimiter: string, quote: string, final: boolean): { fields: string[]; end: number; lines: number } | null {
  const fields: string[] = [];
  const quoteCode = quote.charCodeAt(0);
  const delimiterCode = delimiter.charCodeAt(0);
  let position = start;
  let lines = 1;
  let lineEnd = text.indexOf('\n', position);
  for (;;) {
    let value = '';
    if (text.charCodeAt(position) === quoteCode) {
      const quoted = quotedValue(text, position, quote);
      if (quoted === null) return null;
      if (lineEnd >= 0 && quoted.after > lineEnd) {
        lines += countLines(text, position, quoted.after);
        lineEnd = text.indexOf('\n', quoted.after);
      }
      value = quoted.value;
      position = quoted.after;
      const next = text.charCodeAt(position);
      if (next === delimiterCode) {
        fields.push(value);
        position++;
        continue;
      }
    }
    if (lineEnd < 0 && !final) return null;
    const recordEnd = lineEnd < 0 ? text.length : lineEnd;
    const nextDelimiter = text.indexOf(delimiter, position);
    if (nextDelimiter >= 0 && nextDelimiter < recordEnd) {
      fields.push(value + text.slice(position, nextDelimiter));
      position = nextDelimiter + 1;
      continue;
    }
    const contentEnd = recordEnd > position && text.charCodeAt(recordEnd - 1) === 13 ? recordEnd - 1 : recordEnd;
    fields.push(value + text.slice(position, Math.max(position, contentEnd)));
    return { fields, end: recordEnd + 1, lines };
  }
}

class DelimitedParser implements RawRowParser {
  private pending = '';
  private lineNumber = 0;
  private columns: readonly string[] | undefined;
  private skip: number;
  constructor(private readonly format: Delimited) {
    this.columns = format.header ? undefined : format.columns;
    this.skip = format.skipLines;
  }

  push(text: string): ParsedRow[] {
    return this.scan(this.pending + text, false);
  }

  finish(): ParsedRow[] {
    const text = this.pending;
    this.pending = '';
    return this.scan(text, true);
  }

  private scan(input: string, final: boolean): ParsedRow[] {
    const text = this.lineNumber === 0 && input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    const rows: ParsedRow[] = [];
    const { delimiter, quote } = this.format;
    let position = 0;
    // Next quote at or after `position`, found once per stretch (-1: none left in this text).
    let quoteAt = -2;
    while (position < text.length) {
      const newline = text.indexOf('\n', position);
      if (newline < 0 && !final) break;
      const lineEnd = newline < 0 ? text.length : newline;
      if (quote !== null && quoteAt !== -1 && quoteAt < position) quoteAt = text.indexOf(quote, position);
      const hasQuote = quote !== null && quoteAt >= 0 && quoteAt < lineEnd;
      let fields: string[];
      let next: number;
      let lines = 1;
      if (!hasQuote) {
        const contentEnd = lineEnd > position && text[lineEnd - 1] === '\r' ? lineEnd - 1 : lineEnd;
        fields = text.slice(position, contentEnd).split(delimiter);
        next = lineEnd + 1;
      } else {
        const scanned = scanQuoted(text, position, delimiter, quote, final);
        if (scanned === null) {
          if (!final) break;
          rows.push({ ok: false, lineNumber: this.lineNumber + 1, code: 'UNCLOSED_QUOTE', message: 'a quoted value is not closed before the end of the input' });
          position = text.length;
          break;
        }
        ({ fields, end: next, lines } = scanned);
      }
      const lineNumber = this.lineNumber + 1;
      this.lineNumber += lines;
      position = next;
      this.take(fields, lineNumber, rows);
    }
    this.pending = text.slice(Math.min(position, text.length));
    return rows;
  }

  private take(fields: string[], lineNumber: number, rows: ParsedRow[]): void {
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    if (fields.length === 1 && fields[0] === '') return;
    const columns = this.columns;
    if (columns === undefined) {
      this.columns = fields.map((name) => name.trim());
      return;
    }
    if (fields.length !== columns.length) {
      rows.push({ ok: false, lineNumber, code: 'COLUMN_COUNT', message: `expected ${columns.length} fields, found ${fields.length}` });
      return;
    }
    const row: Record<string, string> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = fields[i]!;
    rows.push({ ok: true, lineNumber, row });
  }
}

/** Line-based formats: one record per line, blank lines skipped. */
class LineParser implements RawRowParser {
  private pending = '';
  private lineNumber = 0;
  private skip: number;
  constructor(private readonly toRow: (line: string, lineNumber: number) => ParsedRow, skipLines: number) {
    this.skip = skipLines;
  }

  push(text: string): ParsedRow[] {
    const all = this.pending + text;
    const last = all.lastIndexOf('\n');
    this.pending = last < 0 ? all : all.slice(last + 1);
    return last < 0 ? [] : this.lines(all.slice(0, last));
  }

  finish(): ParsedRow[] {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? [] : this.lines(rest);
  }

  private lines(text: string): ParsedRow[] {
    const rows: ParsedRow[] = [];
    for (const raw of text.split('\n')) {
      this.lineNumber++;
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      const clean = this.lineNumber === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
      if (this.skip > 0) {
        this.skip--;
        continue;
      }
      if (clean.trim() === '') continue;
      rows.push(this.toRow(clean, this.lineNumber));
    }
    return rows;
  }
}

function jsonRow(line: string, lineNumber: number): ParsedRow {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, lineNumber, code: 'INVALID_JSON', message: 'the line is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, lineNumber, code: 'INVALID_JSON', message: 'each line must be a JSON object' };
  return { ok: true, lineNumber, row: value as RawRow };
}

function fixedWidthRow(format: FixedWidth): (line: string, lineNumber: number) => ParsedRow {
  const columns = format.columns;
  return (line, lineNumber) => {
    const row: Record<string, string> = {};
    for (const column of columns) row[column.name] = line.slice(column.start - 1, column.start - 1 + column.length).trim();
    return { ok: true, lineNumber, row };
  };
}

/** A streaming parser for a feed's format. Line numbers are 1-based physical lines of the input. */
export function createRawRowParser(format: FeedFormat): RawRowParser {
  switch (format.kind) {
    case 'delimited':
      return new DelimitedParser(format);
    case 'jsonLines':
      return new LineParser(jsonRow, 0);
    case 'fixedWidth':
      return new LineParser(fixedWidthRow(format), format.skipLines);
  }
}

/** All rows of a whole text (convenience over createRawRowParser). */
export function parseRawRows(text: string, format: FeedFormat): ParsedRow[] {
  const parser = createRawRowParser(format);
  return [...parser.push(text), ...parser.finish()];
}
