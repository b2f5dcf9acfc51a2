import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/**
 * Writes one NDJSON file, counting lines and hashing exactly the bytes written, so the
 * manifest's `rows` and `sha256` describe the file and nothing else.
 */
export class NdjsonWriter {
  readonly #out: WriteStream;
  readonly #hash = createHash('sha256');
  rows = 0;

  constructor(readonly file: string) {
    this.#out = createWriteStream(file, { flags: 'wx' });
  }

  async write(line: string): Promise<void> {
    const bytes = Buffer.from(line + '\n', 'utf8');
    this.#hash.update(bytes);
    this.rows++;
    if (!this.#out.write(bytes)) await once(this.#out, 'drain');
  }

  /** Flushes and closes; returns the file's SHA-256 (hex). */
  async close(): Promise<string> {
    await new Promise<void>((resolve, reject) => this.#out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    return this.#hash.digest('hex');
  }
}

/** SHA-256 and line count of a file, read once, before anything trusts its content. */
export async function describeFile(file: string): Promise<{ sha256: string; lines: number }> {
  const hash = createHash('sha256');
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) lines++;
  }
  return { sha256: hash.digest('hex'), lines };
}

/** The lines of an NDJSON file, in order, without their newline. */
export async function* readLines(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.length > 0) yield line;
}
