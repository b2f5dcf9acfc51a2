/**
 * Duration units. Every sandbox duration is written in milliseconds through these names so a
 * reader sees "5 * Minute", never 300000.
 */
export const Millisecond = 1;
export const Second = 1000 * Millisecond;
export const Minute = 60 * Second;
export const Hour = 60 * Minute;
export const Day = 24 * Hour;

/** Telegram dates are whole Unix seconds. */
export function unixTime(atMs: number = Date.now()): number {
  return Math.floor(atMs / Second);
}

/**
 * Timer that never keeps the process alive on its own: a forgotten sandbox timer must not stop a
 * test run from exiting.
 */
export function backgroundTimer(callback: () => void, ms: number): NodeJS.Timeout {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return timer;
}
