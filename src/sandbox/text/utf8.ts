/**
 * Byte-level helpers for the entity parsers. Telegram parses parse_mode text as UTF-8 bytes (its
 * error messages quote byte offsets) while entity offsets count UTF-16 code units; working on the
 * same bytes is the simplest way to report both the way Telegram does.
 */

/** The byte at `index`, or 0 past the end, as the C string Telegram's parser walks would read. */
export function byteAt(bytes: Uint8Array, index: number): number {
  return bytes[index] ?? 0;
}

/** UTF-16 code units the character starting with this byte occupies; 0 for continuation bytes. */
export function utf16Width(byte: number): number {
  if ((byte & 0xc0) === 0x80) return 0;
  return byte >= 0xf0 ? 2 : 1;
}

/** ASCII whitespace, as C's isspace. */
export function isSpaceByte(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** Growable byte buffer for parser output. */
export class ByteWriter {
  private buffer = new Uint8Array(64);
  private used = 0;

  get length(): number {
    return this.used;
  }

  push(...values: number[]): void {
    for (const value of values) {
      if (this.used === this.buffer.length) {
        const grown = new Uint8Array(this.buffer.length * 2);
        grown.set(this.buffer);
        this.buffer = grown;
      }
      this.buffer[this.used++] = value;
    }
  }

  pushCodePoint(codePoint: number): void {
    this.push(...Buffer.from(String.fromCodePoint(codePoint), 'utf8'));
  }

  slice(from: number, to: number = this.used): string {
    return Buffer.from(this.buffer.subarray(from, to)).toString('utf8');
  }

  toString(): string {
    return this.slice(0);
  }
}
