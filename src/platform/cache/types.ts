/**
 * The shared fast state Kovan needs between API replicas: short-lived values, counters for
 * rate limits, and a pub/sub bus for live events. Redis when `REDIS_URL` is set; in one
 * process the in-memory implementation behaves the same.
 */
export interface Cache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Adds 1 to a counter that expires `windowMs` after its first increment (fixed window).
   * Returns the new count and the milliseconds until the window resets.
   */
  increment(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  publish(channel: string, message: string): Promise<void>;
  /** Calls `onMessage` for each message on `channel`; the returned function unsubscribes. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
