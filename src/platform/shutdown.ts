import type { Watchdog } from './watchdog.js';

/**
 * Stops a role on SIGTERM/SIGINT: finish in-flight work, then exit 0. A second signal exits
 * at once. With a watchdog, the drain is bounded: `timeoutMs` after the signal is seen the
 * process ends even if `stop` hangs or its event loop is blocked (the watchdog thread
 * kills it), so an orchestrator's grace period is never what ends it.
 */
export function stopOnSignal(stop: () => Promise<void>, bound?: { watchdog: Watchdog; timeoutMs: number }): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    bound?.watchdog.armShutdownDeadline(bound.timeoutMs);
    console.error(`${signal}: shutting down gracefully…`);
    stop().then(() => process.exit(0), (error) => { console.error(error); process.exit(1); });
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
