// Strict UTF-8 decoding of a byte stream, chunk by chunk. We split chunks at character boundaries
// ourselves (rather than using TextDecoder's stream mode) so that, on a bad byte, we know its
// exact offset and can hand the parser the text before it; the parser then knows the row.

export interface DecodedChunk {
  /** Text of the valid bytes (up to the bad byte when there is one). */
  readonly text: string;
  /** Absolute offset of the first invalid byte, when the chunk has one. */
  readonly invalidByteOffset?: number;
}

export class StrictUtf8Decoder {
  private carry: Uint8Array = new Uint8Array(0);
  /** Absolute offset of carry[0] in the whole stream. */
  private carryOffset: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  /** `startOffset`: where the first chunk is in the whole file (a range read on its own). */
  constructor(startOffset = 0) {
    this.carryOffset = startOffset;
  }

  /** Decodes the next chunk; with `final` an incomplete trailing character is an error. */
  decode(chunk: Uint8Array, final: boolean): DecodedChunk {
    const bytes = this.carry.length > 0 ? concatBytes(this.carry, chunk) : chunk;
    const end = final ? bytes.length : completeLength(bytes);
    const complete = bytes.subarray(0, end);
    let text: string;
    try {
      text = this.decoder.decode(complete);
    } catch {
      const bad = firstInvalidOffset(complete);
      const prefix = new TextDecoder('utf-8', { ignoreBOM: true }).decode(complete.subarray(0, bad), { stream: true });
      return { text: prefix, invalidByteOffset: this.carryOffset + bad };
    }
    this.carry = bytes.slice(end);
    this.carryOffset += end;
    return { text };
  }
}

/** Length of the prefix that ends on a character boundary (at most 3 bytes are held back). */
function completeLength(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = bytes[n - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? n - back : n;
  }
  return n;
}

/**
 * Offset of the first byte at which decoding fails (the error path only): the shortest prefix
 * that a streaming fatal decoder rejects, found by bisection, reported at the lead byte of the
 * broken sequence.
 */
function firstInvalidOffset(bytes: Uint8Array): number {
  const fails = (length: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, length), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  if (!fails(bytes.length)) return completeLength(bytes);
  let low = 0; // fails(low) is false
  let high = bytes.length; // fails(high) is true
  while (high - low > 1) {
    const mid = (low + high) >>> 1;
    if (fails(mid)) high = mid;
    else low = mid;
  }
  // The decoder gave up on byte high-1; if a sequence was open there, it is what is broken.
  return completeLength(bytes.subarray(0, high - 1));
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}
