// A minimal zip writer: entries whose bytes are already prepared (stored, or deflate data copied
// from another zip) are laid out with local headers, a central directory and its end record. The
// xlsx reader uses it to hand ExcelJS a small, well-ordered workbook of only the parts it needs.

export interface ZipWriterEntry {
  readonly name: string;
  readonly method: 0 | 8;
  readonly crc32: number;
  /** The bytes as they go into the zip (deflate data when method is 8). */
  readonly data: Uint8Array;
  readonly uncompressedBytes: number;
}

/** The zip as a list of chunks (no copy of the entries' data). */
export function writeZip(entries: readonly ZipWriterEntry[]): Buffer[] {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeCommonFields(local, 4, entry, name.length);
    chunks.push(local, name, Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength));

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4); // version made by
    writeCommonFields(header, 6, entry, name.length);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    offset += local.length + name.length + entry.data.byteLength;
  }
  const centralBytes = central.reduce((sum, b) => sum + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes, 12);
  end.writeUInt32LE(offset, 16);
  return [...chunks, ...central, end];
}

/** version needed, flags (UTF-8 names), method, time, date, crc, sizes, name length; shared layout. */
function writeCommonFields(target: Buffer, at: number, entry: ZipWriterEntry, nameLength: number): void {
  target.writeUInt16LE(20, at);
  target.writeUInt16LE(0x0800, at + 2);
  target.writeUInt16LE(entry.method, at + 4);
  target.writeUInt16LE(0, at + 6);
  target.writeUInt16LE(0x21, at + 8); // 1980-01-01
  target.writeUInt32LE(entry.crc32, at + 10);
  target.writeUInt32LE(entry.data.byteLength, at + 14);
  target.writeUInt32LE(entry.uncompressedBytes, at + 18);
  target.writeUInt16LE(nameLength, at + 22);
}

/** A stored (uncompressed) entry. */
export function storedEntry(name: string, content: string | Uint8Array): ZipWriterEntry {
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return { name, method: 0, crc32: crc32(data), data, uncompressedBytes: data.byteLength };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE), as zip headers carry it. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
