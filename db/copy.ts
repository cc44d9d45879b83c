import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type postgres from 'postgres';

// Bulk writes through COPY (DESIGN "Performance": ~25× Drizzle's insert). Lines are in COPY text
// format: tab-separated, backslash escapes, \N for null, each ending in a newline.

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
export const COPY_NULL = '\\N';

/** A value in COPY text format; NUL cannot be stored and becomes U+FFFD. */
export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return COPY_NULL;
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\uFFFD'));
}

/** Streams `lines` into `table (columns)`; call inside a transaction to make it all-or-nothing. */
export async function copyLines(sql: postgres.Sql | postgres.TransactionSql, table: string, columns: string, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const writable = await sql.unsafe(`copy ${table} (${columns}) from stdin`).writable();
  await pipeline(Readable.from(batched(lines)), writable);
}

function* batched(lines: readonly string[]): Generator<string> {
  const size = 2_000;
  for (let i = 0; i < lines.length; i += size) yield lines.slice(i, i + size).join('');
}
