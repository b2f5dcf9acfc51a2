import { Minute } from '../time.js';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const maxPayloadBytes = 7999;

/** Room for a part's header: `+<id> <index> <count> `, indexes of up to ten digits. */
function headerBytes(messageId: string): number {
  return 1 + messageId.length + 1 + 10 + 1 + 10 + 1;
}

/**
 * Frames a message into NOTIFY payloads of at most `limit` UTF-8 bytes: `=<message>` when it
 * fits in one, otherwise parts `+<id> <index> <count> <text>` cut between code points, that
 * {@link FrameAssembler} puts back together in whatever order they arrive. A live event
 * quoting a long Telegram message (4096 characters, up to four bytes each) needs parts.
 */
export function frameMessage(message: string, messageId: string, limit = maxPayloadBytes): string[] {
  if (1 + Buffer.byteLength(message) <= limit) return [`=${message}`];
  const budget = limit - headerBytes(messageId);
  if (budget < 4) throw new RangeError(`a NOTIFY payload limit of ${limit} bytes leaves no room for a part`);
  const texts: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const codePoint of message) {
    const bytes = Buffer.byteLength(codePoint);
    if (currentBytes + bytes > budget) {
      texts.push(current);
      current = '';
      currentBytes = 0;
    }
    current += codePoint;
    currentBytes += bytes;
  }
  texts.push(current);
  return texts.map((text, index) => `+${messageId} ${index} ${texts.length} ${text}`);
}

const partHeader = /^\+(\S+) (\d{1,10}) (\d{1,10}) /;

/**
 * Puts framed messages back together. Parts of one message arrive together (NOTIFYs of one
 * transaction are delivered at once), so a message still incomplete a minute later lost
 * its other parts with the connection, and is dropped.
 */
export class FrameAssembler {
  readonly #partial = new Map<string, { parts: Array<string | undefined>; missing: number; startedAt: number }>();

  constructor(readonly now: () => number = Date.now, readonly maxAgeMs = Minute) {}

  /** The whole message once its last part arrives; undefined before. A payload Kovan did not frame is passed on as it is. */
  accept(payload: string): string | undefined {
    if (payload.startsWith('=')) return payload.slice(1);
    const header = partHeader.exec(payload);
    if (!header) return payload;
    const [, id, indexText, countText] = header as unknown as [string, string, string, string];
    const index = Number(indexText);
    const count = Number(countText);
    if (index >= count) return undefined;
    let message = this.#partial.get(id);
    if (!message) {
      this.#forgetStale();
      message = { parts: new Array<string | undefined>(count).fill(undefined), missing: count, startedAt: this.now() };
      this.#partial.set(id, message);
    }
    if (message.parts[index] !== undefined) return undefined;
    message.parts[index] = payload.slice(header[0].length);
    message.missing -= 1;
    if (message.missing > 0) return undefined;
    this.#partial.delete(id);
    return message.parts.join('');
  }

  /** Messages waiting for parts (for tests and diagnostics). */
  get pending(): number {
    return this.#partial.size;
  }

  #forgetStale(): void {
    const oldest = this.now() - this.maxAgeMs;
    for (const [id, message] of this.#partial) if (message.startedAt < oldest) this.#partial.delete(id);
  }
}
