import type { Bus } from '../bus/index.js';

/**
 * The shared fast state Kovan needs between API replicas: short-lived values, counters for
 * rate limits, and pub/sub (session signals, live events) over a {@link Bus}. Redis when
 * `REDIS_URL` is set; otherwise values stay per process and pub/sub crosses processes over
 * PostgreSQL `LISTEN/NOTIFY` (in one process, the in-memory bus).
 */
export interface Cache {
  readonly kind: 'redis' | 'memory';
  /** What `publish` and `subscribe` travel over. */
  readonly bus: Bus;
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Adds 1 to a counter that expires `windowMs` after its first increment (fixed window).
   * Returns the new count and the milliseconds until the window resets.
   */
  increment(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  publish(channel: string, message: string): Promise<void>;
  /**
   * Appends `message` to the channel's log (its newest `keep` entries, kept `ttlMs` after
   * the last append) and publishes it to subscribers as `<id> <message>`, in one step.
   * Ids are `<milliseconds>-<sequence>` and increase. Returns the id.
   */
  publishLogged(channel: string, message: string, options: { keep: number; ttlMs: number }): Promise<string>;
  /**
   * The logged messages after `afterId`, oldest first, at most `limit`. `complete` is false
   * when the log no longer reaches back to `afterId` (some may have been dropped).
   */
  readLogAfter(channel: string, afterId: string, limit: number): Promise<{ entries: Array<{ id: string; message: string }>; complete: boolean }>;
  /** Calls `onMessage` for each message on `channel`; the returned function unsubscribes. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Orders log ids (`<ms>-<seq>`): negative when `a` is older than `b`. */
export function compareLogIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || as - bs;
}

export const logIdPattern = /^\d{1,15}-\d{1,15}$/;
