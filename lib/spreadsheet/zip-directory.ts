import zlib from 'node:zlib';
import { formatError } from './format-error';
import type { SpreadsheetLimits } from './limits';

// Zip-bomb protection for .xlsx uploads. Before any byte is inflated we read the zip's central
// directory ourselves and refuse: too many entries, a declared uncompressed size over the limit (in
// one entry or all together), a suspicious compression ratio, entries that overlap (the
// "overlapping files" bomb) or whose local header disagrees with the directory, and features we do
// not need (zip64, multi-disk, encryption, methods other than stored and deflate). Declared sizes
// can lie, so every entry we later hand to a parser is first inflated into a counter that stops at
// the declared size (`checkInflatedSize`).

export interface ZipEntry {
  readonly name: string;
  /** 0 = stored, 8 = deflate. */
  readonly method: 0 | 8;
  readonly crc32: number;
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly localHeaderOffset: number;
  /** Offset of the entry's (compressed) data. */
  readonly dataOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_BYTES = 22;
const CENTRAL_BYTES = 46;
const LOCAL_BYTES = 30;
const MAX_COMMENT_BYTES = 0xffff;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8_NAME = 0x0800;

/** The entries of a zip, checked against the limits; throws FileFormatError. */
export function readZipDirectory(zip: Uint8Array, limits: SpreadsheetLimits): ZipEntry[] {
  const bytes = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEndOfCentralDirectory(bytes);
  const entryCount = bytes.readUInt16LE(eocd + 10);
  const directoryBytes = bytes.readUInt32LE(eocd + 12);
  const directoryOffset = bytes.readUInt32LE(eocd + 16);
  if (bytes.readUInt16LE(eocd + 4) !== 0 || bytes.readUInt16LE(eocd + 6) !== 0 || bytes.readUInt16LE(eocd + 8) !== entryCount) {
    throw formatError('ZIP_UNSUPPORTED', 'Multi-disk zip files are not supported');
  }
  if (entryCount === 0xffff || directoryOffset === 0xffffffff || hasZip64Locator(bytes, eocd)) {
    throw formatError('ZIP_UNSUPPORTED', 'Zip64 files are not supported');
  }
  if (entryCount > limits.maxZipEntries) {
    throw formatError('ZIP_TOO_MANY_ENTRIES', `The workbook has ${entryCount} zip entries; at most ${limits.maxZipEntries} are accepted`);
  }
  if (directoryOffset + directoryBytes > eocd) throw corrupt('the central directory lies outside the file');

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let totalUncompressedBytes = 0;
  let position = directoryOffset;
  for (let index = 0; index < entryCount; index++) {
    const { entry, next } = readCentralEntry(bytes, position, directoryOffset + directoryBytes, directoryOffset);
    checkEntrySize(entry, limits);
    totalUncompressedBytes += entry.uncompressedBytes;
    if (totalUncompressedBytes > limits.maxUncompressedBytes) {
      throw formatError('ZIP_TOO_LARGE', `The workbook would inflate to more than ${limits.maxUncompressedBytes} bytes`);
    }
    if (names.has(entry.name)) throw corrupt(`the entry ${entry.name} appears twice`);
    names.add(entry.name);
    entries.push(entry);
    position = next;
  }
  checkNoOverlap(entries);
  return entries;
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - EOCD_BYTES - MAX_COMMENT_BYTES);
  for (let at = bytes.length - EOCD_BYTES; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) === EOCD_SIGNATURE && at + EOCD_BYTES + bytes.readUInt16LE(at + 20) <= bytes.length) return at;
  }
  throw formatError('NOT_A_ZIP', 'The file is not an .xlsx workbook (no zip directory found)');
}

function hasZip64Locator(bytes: Buffer, eocd: number): boolean {
  return eocd >= 20 && bytes.readUInt32LE(eocd - 20) === ZIP64_LOCATOR_SIGNATURE;
}

function readCentralEntry(bytes: Buffer, at: number, directoryEnd: number, dataEnd: number): { entry: ZipEntry; next: number } {
  if (at + CENTRAL_BYTES > directoryEnd || bytes.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
    throw corrupt('a central directory header is missing');
  }
  const flags = bytes.readUInt16LE(at + 8);
  const method = bytes.readUInt16LE(at + 10);
  const crc32 = bytes.readUInt32LE(at + 16);
  const compressedBytes = bytes.readUInt32LE(at + 20);
  const uncompressedBytes = bytes.readUInt32LE(at + 24);
  const nameLength = bytes.readUInt16LE(at + 28);
  const next = at + CENTRAL_BYTES + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  const localHeaderOffset = bytes.readUInt32LE(at + 42);
  if (next > directoryEnd) throw corrupt('a central directory header runs past the directory');
  const nameBytes = bytes.subarray(at + CENTRAL_BYTES, at + CENTRAL_BYTES + nameLength);
  const name = nameBytes.toString(flags & FLAG_UTF8_NAME ? 'utf8' : 'latin1');

  if (flags & FLAG_ENCRYPTED) throw formatError('ZIP_UNSUPPORTED', `The entry ${name} is encrypted`);
  if (method !== 0 && method !== 8) throw formatError('ZIP_UNSUPPORTED', `The entry ${name} uses compression method ${method}`);
  if (compressedBytes === 0xffffffff || uncompressedBytes === 0xffffffff || localHeaderOffset === 0xffffffff) {
    throw formatError('ZIP_UNSUPPORTED', 'Zip64 entries are not supported');
  }
  if (method === 0 && compressedBytes !== uncompressedBytes) throw corrupt(`the stored entry ${name} declares two sizes`);

  const dataOffset = checkLocalHeader(bytes, localHeaderOffset, nameBytes, method, name);
  if (dataOffset + compressedBytes > dataEnd) throw corrupt(`the data of ${name} runs into the central directory`);
  return { entry: { name, method, crc32, compressedBytes, uncompressedBytes, localHeaderOffset, dataOffset }, next };
}

/** The local header must agree with the directory (name, method); returns where the data starts. */
function checkLocalHeader(bytes: Buffer, at: number, nameBytes: Buffer, method: number, name: string): number {
  if (at + LOCAL_BYTES > bytes.length || bytes.readUInt32LE(at) !== LOCAL_SIGNATURE) {
    throw corrupt(`the local header of ${name} is missing`);
  }
  const nameLength = bytes.readUInt16LE(at + 26);
  const dataOffset = at + LOCAL_BYTES + nameLength + bytes.readUInt16LE(at + 28);
  const localName = bytes.subarray(at + LOCAL_BYTES, at + LOCAL_BYTES + nameLength);
  if (bytes.readUInt16LE(at + 8) !== method || !localName.equals(nameBytes)) {
    throw corrupt(`the local header of ${name} disagrees with the central directory`);
  }
  return dataOffset;
}

function checkEntrySize(entry: ZipEntry, limits: SpreadsheetLimits): void {
  if (entry.uncompressedBytes > limits.maxUncompressedBytes) {
    throw formatError('ZIP_TOO_LARGE', `The entry ${entry.name} would inflate to ${entry.uncompressedBytes} bytes; the limit is ${limits.maxUncompressedBytes}`);
  }
  const ratio = entry.uncompressedBytes / Math.max(1, entry.compressedBytes);
  if (entry.uncompressedBytes >= limits.ratioCheckFromBytes && ratio > limits.maxCompressionRatio) {
    throw formatError('ZIP_RATIO', `The entry ${entry.name} is compressed ${Math.round(ratio)}:1; at most ${limits.maxCompressionRatio}:1 is accepted`);
  }
}

/** Entries may not share bytes: overlapping entries let a small file inflate many times over. */
function checkNoOverlap(entries: readonly ZipEntry[]): void {
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1] as ZipEntry;
    const current = byOffset[i] as ZipEntry;
    if (current.localHeaderOffset < previous.dataOffset + previous.compressedBytes) {
      throw corrupt(`the entries ${previous.name} and ${current.name} overlap`);
    }
  }
}

/** The entry's bytes as stored in the zip (compressed when method is 8). */
export function entryData(zip: Uint8Array, entry: ZipEntry): Uint8Array {
  return zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedBytes);
}

/**
 * Inflates an entry into a counter (nothing is kept) and refuses it if it yields more bytes than
 * it declares, or other than it declares: memory stays at one inflate window whatever the data.
 */
export async function checkInflatedSize(zip: Uint8Array, entry: ZipEntry): Promise<void> {
  if (entry.method === 0) return; // stored: the declared sizes are equal and inside the file
  const inflater = zlib.createInflateRaw();
  inflater.end(entryData(zip, entry));
  let inflatedBytes = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      inflatedBytes += chunk.length;
      if (inflatedBytes > entry.uncompressedBytes) break;
    }
  } catch (error) {
    throw corrupt(`the data of ${entry.name} does not inflate (${(error as Error).message})`);
  } finally {
    inflater.destroy();
  }
  if (inflatedBytes !== entry.uncompressedBytes) {
    const actual = inflatedBytes > entry.uncompressedBytes ? `more than ${entry.uncompressedBytes}` : `${inflatedBytes}`;
    throw formatError('ZIP_SIZE_MISMATCH', `The entry ${entry.name} declares ${entry.uncompressedBytes} bytes but inflates to ${actual}`);
  }
}

/** The bytes of a small entry, inflated with a hard cap at its declared size. */
export function inflateEntry(zip: Uint8Array, entry: ZipEntry): Buffer {
  const data = entryData(zip, entry);
  if (entry.method === 0) return Buffer.from(data);
  let inflated: Buffer;
  try {
    inflated = zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedBytes) });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw formatError('ZIP_SIZE_MISMATCH', `The entry ${entry.name} inflates to more than the ${entry.uncompressedBytes} bytes it declares`);
    }
    throw corrupt(`the data of ${entry.name} does not inflate (${(error as Error).message})`);
  }
  if (inflated.length !== entry.uncompressedBytes) {
    throw formatError('ZIP_SIZE_MISMATCH', `The entry ${entry.name} declares ${entry.uncompressedBytes} bytes but inflates to ${inflated.length}`);
  }
  return inflated;
}

function corrupt(what: string) {
  return formatError('ZIP_CORRUPT', `The workbook is damaged: ${what}`);
}
