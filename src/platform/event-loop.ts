import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge } from 'prom-client';
import { metrics } from './metrics.js';
import { Second } from './time.js';

/** One measuring window; the delay reported is the worst of the current and the last {@link windowsKept} ones. */
const windowMs = Second;
/**
 * Five seconds of memory: a readiness probe (every 5–10 s) or a busy client asking right
 * after a stall still sees it, and an old stall is forgotten soon after.
 */
const windowsKept = 5;

/**
 * The process's event-loop delay, measured by `perf_hooks.monitorEventLoopDelay` and read in
 * one-second windows: {@link EventLoopDelay.recentMaxMs} is the worst delay of the last few
 * seconds, so a loop that was just blocked for a second reports it once it turns again
 * (and /readyz stays 503 for a few seconds), while an old stall is forgotten.
 *
 * One per process (there is one event loop); {@link eventLoopDelay} starts it on first use.
 */
export class EventLoopDelay {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  /** Maxima of the last closed windows, in nanoseconds, newest last. */
  readonly #closedWindows: number[] = [];

  constructor() {
    this.#histogram.enable();
    const rollover = setInterval(() => {
      this.#closedWindows.push(this.#histogram.max);
      if (this.#closedWindows.length > windowsKept) this.#closedWindows.shift();
      this.#histogram.reset();
    }, windowMs);
    rollover.unref();
  }

  /** The largest event-loop delay seen in the last few seconds, in milliseconds. */
  recentMaxMs(): number {
    return Math.max(this.#histogram.max, ...this.#closedWindows) / 1e6;
  }
}

let shared: EventLoopDelay | undefined;

/** The process's event-loop delay monitor, started on first call and exported as a metric. */
export function eventLoopDelay(): EventLoopDelay {
  shared ??= new EventLoopDelay();
  return shared;
}

new Gauge({
  name: 'kovan_event_loop_delay_seconds',
  help: 'Largest event-loop delay of the last few seconds (what /readyz compares with EVENT_LOOP_READY_MAX_MS)',
  registers: [metrics],
  collect() { this.set(eventLoopDelay().recentMaxMs() / 1000); },
});
