import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';

/**
 * The few lines of POSIX ustar that archives need: regular files only, written and read
 * by Kovan itself. A hand-written format keeps the archive readable by any `tar xzf`
 * without adding a dependency, and the reader can refuse everything it does not expect
 * (links, absolute paths, `..`) instead of trusting a general-purpose extractor.
 */
const Block = 512;
/** ustar's 11 octal digits of size. */
const MaxEntryBytes = 8 * 1024 ** 3 - 1;

export interface TarEntry {
  /** Path inside the archive, `/`-separated, at most 100 bytes. */
  name: string;
  /** The file on disk that becomes the entry's content. */
  file: string;
}

/** Writes `entries` as a gzip-compressed tarball into `destination`, in the given order. */
export async function writeTarball(destination: Writable, entries: TarEntry[]): Promise<void> {
  async function* blocks() {
    for (const entry of entries) {
      const { size, mtimeMs } = await stat(entry.file);
      yield header(entry.name, size, Math.floor(mtimeMs / 1000));
      for await (const chunk of createReadStream(entry.file)) yield chunk as Buffer;
      if (size % Block !== 0) yield Buffer.alloc(Block - (size % Block));
    }
    yield Buffer.alloc(2 * Block); // end-of-archive marker
  }
  await pipeline(Readable.from(blocks()), createGzip(), destination);
}

function header(name: string, size: number, mtime: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`archive entry name too long: ${name}`);
  if (size > MaxEntryBytes) throw new Error(`archive entry ${name} is larger than 8 GiB`);
  const h = Buffer.alloc(Block);
  nameBytes.copy(h, 0);
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  h.write(mtime.toString(8).padStart(11, '0') + '\0', 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum is computed with its own field as spaces
  h.write('0', 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  h.write(checksum(h).toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function checksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < Block; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  return sum;
}

function octal(h: Buffer, offset: number, length: number): number {
  const text = h.subarray(offset, offset + length).toString('ascii').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return parseInt(text, 8);
}

export interface ExtractLimits {
  /** Only entries whose names match are accepted; anything else is an error. */
  allowedName: RegExp;
  /** Refuses archives that unpack to more than this (a gzip bomb stops here). */
  maxTotalBytes: number;
}

/**
 * Unpacks a Kovan tarball into `directory` (which must exist and be empty), checking every
 * header. Returns the entry names in archive order. Throws a plain-language error on
 * anything unexpected; the caller removes the directory.
 */
export async function extractTarball(source: Readable, directory: string, limits: ExtractLimits): Promise<string[]> {
  const names: string[] = [];
  let total = 0;
  let pending: Buffer = Buffer.alloc(0);
  let current: { name: string; remaining: number; padding: number; out: Writable } | undefined;
  let ended = false;

  const sink = new Writable({
    async write(chunk: Buffer, _encoding, done) {
      try {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        await drain();
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });

  async function drain(): Promise<void> {
    for (;;) {
      if (current) {
        if (current.remaining > 0) {
          if (pending.length === 0) return;
          const piece = pending.subarray(0, Math.min(pending.length, current.remaining));
          pending = pending.subarray(piece.length);
          current.remaining -= piece.length;
          if (!current.out.write(piece)) await new Promise((resolve) => current!.out.once('drain', resolve));
          continue;
        }
        if (pending.length < current.padding) return;
        pending = pending.subarray(current.padding);
        const out = current.out;
        current = undefined;
        await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
        continue;
      }
      if (ended) {
        pending = Buffer.alloc(0); // anything after the end marker is padding
        return;
      }
      if (pending.length < Block) return;
      const h = pending.subarray(0, Block);
      pending = pending.subarray(Block);
      if (h.every((b) => b === 0)) {
        ended = true;
        continue;
      }
      current = await openEntry(h);
    }
  }

  async function openEntry(h: Buffer) {
    if (octal(h, 148, 8) !== checksum(h)) throw new Error('the archive is damaged (a header checksum does not match)');
    const type = String.fromCharCode(h[156]!);
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (type !== '0' && type !== '\0') throw new Error(`the archive contains "${name}", which is not a regular file`);
    if (!limits.allowedName.test(name) || name.split('/').includes('..')) throw new Error(`the archive contains an unexpected entry "${name}"`);
    if (names.includes(name)) throw new Error(`the archive contains "${name}" twice`);
    const size = octal(h, 124, 12);
    if (!Number.isFinite(size)) throw new Error(`the archive entry "${name}" has no valid size`);
    total += size;
    if (total > limits.maxTotalBytes) throw new Error(`the archive unpacks to more than ${limits.maxTotalBytes} bytes; refusing it`);
    names.push(name);
    const target = path.join(directory, ...name.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    const out = createWriteStream(target, { flags: 'wx' });
    return { name, remaining: size, padding: (Block - (size % Block)) % Block, out };
  }

  try {
    await pipeline(source, createGunzip(), sink);
  } catch (error) {
    current?.out.destroy();
    const code = (error as { code?: string }).code;
    if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      throw new Error('the archive is not a gzip-compressed tarball, or it is truncated');
    }
    throw error;
  }
  if (!ended || current) throw new Error('the archive is truncated (no end-of-archive marker)');
  return names;
}
