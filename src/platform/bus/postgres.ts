import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../log.js';
import { Second } from '../time.js';
import { FrameAssembler, frameMessage } from './notify-frames.js';
import { HandlerRegistry, type Bus } from './types.js';

export interface PostgresBusOptions {
  /** Where the listening connection goes (the app role's URL: LISTEN needs no privilege). */
  listenUrl: string;
  /** Runs one statement outside any transaction: NOTIFY goes over the process's ordinary pool. */
  query: (sql: string, params: readonly unknown[]) => Promise<unknown>;
  log?: Pick<Logger, 'warn' | 'info'>;
  /** `application_name` of the listening connection (tests find it by this to cut it). */
  applicationName?: string;
}

/** PostgreSQL channel names are identifiers: at most 63 bytes. */
const maxChannelBytes = 63;
/** Reconnecting: 250 ms doubling to at most 10 s, with jitter so a restarted server is not stormed. */
const firstRetryMs = 250;
const maxRetryMs = 10 * Second;

/**
 * The {@link Bus} over PostgreSQL `LISTEN/NOTIFY`, for a deployment without Redis. Each
 * process keeps one dedicated connection that LISTENs on the channels it has subscribers
 * for (opened on first subscribe, so one-shot commands open none); when that connection is
 * lost it reconnects with backoff and LISTENs again. Messages are NOTIFYs sent over the
 * ordinary pool, cut into parts below PostgreSQL's 8000-byte payload limit when needed.
 */
export class PostgresBus implements Bus {
  readonly kind = 'postgres' as const;
  readonly #handlers = new HandlerRegistry();
  readonly #frames = new FrameAssembler();
  readonly #messagePrefix = randomBytes(4).toString('hex');
  #messageSeq = 0;
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #closed = false;

  constructor(readonly options: PostgresBusOptions) {}

  async publish(channel: string, message: string) {
    const payloads = frameMessage(message, `${this.#messagePrefix}${(this.#messageSeq++).toString(36)}`);
    // One statement, so one transaction: its NOTIFYs reach each listener together.
    await this.options.query(`SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS p(payload)`, [pgChannel(channel), payloads]);
  }

  async subscribe(channel: string, onMessage: (message: string) => void) {
    const name = pgChannel(channel);
    if (this.#handlers.add(name, onMessage).first) {
      await this.#connected();
      // Without a connection the channel is LISTENed on when it comes back.
      await this.#client?.query(`LISTEN ${quoteIdentifier(name)}`).catch(() => {});
    }
    return async () => {
      if (this.#handlers.remove(name, onMessage).last) await this.#client?.query(`UNLISTEN ${quoteIdentifier(name)}`).catch(() => {});
    };
  }

  async close() {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#handlers.clear();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  /** Waits for a connection attempt under way (or starts one); a failed attempt is retried in the background. */
  #connected(): Promise<void> {
    if (this.#client || this.#closed) return Promise.resolve();
    this.#connecting ??= this.#connect().finally(() => { this.#connecting = undefined; });
    return this.#connecting;
  }

  async #connect(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const client = new pg.Client({ connectionString: this.options.listenUrl, keepAlive: true, application_name: this.options.applicationName ?? `kovan-bus:${process.pid}` });
    client.on('notification', (n) => this.#receive(n.channel, n.payload ?? ''));
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      if (this.#closed) return void (await client.end().catch(() => {}));
      this.#client = client;
      // Channels subscribed from here on LISTEN themselves; LISTEN twice is harmless.
      const channels = this.#handlers.channels();
      if (channels.length > 0) await client.query(channels.map((c) => `LISTEN ${quoteIdentifier(c)};`).join(' '));
      if (this.#failures > 0) this.options.log?.info({ channels: channels.length, after_failures: this.#failures }, 'bus: listening again on PostgreSQL');
      this.#failures = 0;
    } catch (error) {
      this.#lost(client, error as Error);
    }
  }

  /** The listening connection broke: every channel is LISTENed on again once it is back. */
  #lost(client: pg.Client, error?: Error): void {
    if (this.#client === client) this.#client = undefined;
    client.removeAllListeners('end');
    client.on('error', () => {});
    client.end().catch(() => {});
    if (this.#closed || this.#retryTimer) return;
    this.#failures += 1;
    const delay = Math.min(maxRetryMs, firstRetryMs * 2 ** (this.#failures - 1)) * (0.5 + Math.random() / 2);
    this.options.log?.warn({ err: error, retry_in_ms: Math.round(delay), failures: this.#failures }, 'bus: the PostgreSQL LISTEN connection was lost; reconnecting');
    this.#retryTimer = setTimeout(() => void this.#connected(), delay);
    this.#retryTimer.unref();
  }

  #receive(channel: string, payload: string): void {
    const message = this.#frames.accept(payload);
    if (message !== undefined) this.#handlers.deliver(channel, message, (error) => this.options.log?.warn({ err: error, channel }, 'bus: a subscriber failed'));
  }
}

/** The PostgreSQL channel of a Kovan channel: as it is when short enough, else shortened by a hash. */
export function pgChannel(channel: string): string {
  if (Buffer.byteLength(channel) <= maxChannelBytes) return channel;
  return `${channel.slice(0, 20)}~${createHash('sha256').update(channel).digest('base64url').slice(0, 32)}`;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
