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

const BINARY_SIGNATURE = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]); // + flags, header extension
const BINARY_TRAILER = Buffer.from([0xff, 0xff]);
/** A value of one binary COPY field: text, a 4-byte integer, or bytes. */
export type BinaryField = { text: string } | { int4: number } | { bytes: Uint8Array };

/**
 * Writes one row with COPY in binary format: bytes go as they are, where a bytea parameter would be
 * sent (and parsed back) as hex text of twice the size.
 */
export async function copyBinaryRow(sql: postgres.Sql | postgres.TransactionSql, table: string, columns: string, fields: readonly BinaryField[]): Promise<void> {
  const parts: Uint8Array[] = [BINARY_SIGNATURE, int16(fields.length)];
  for (const field of fields) {
    const value = 'text' in field ? Buffer.from(field.text) : 'int4' in field ? int32(field.int4) : field.bytes;
    parts.push(int32(value.byteLength), value);
  }
  parts.push(BINARY_TRAILER);
  const writable = await sql.unsafe(`copy ${table} (${columns}) from stdin with (format binary)`).writable();
  await pipeline(Readable.from(parts), writable);
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}
