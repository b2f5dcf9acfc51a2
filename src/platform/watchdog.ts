import { Worker } from 'node:worker_threads';

/** How often the event loop proves it turns, and how often the watchdog thread looks. */
const beatMs = 100;
const checkMs = 100;

/** Slots of the memory both threads share (BigInt64, milliseconds since the epoch). */
const lastBeat = 0;
const hardDeadline = 1;

/**
 * The watchdog thread's whole program. It never uses its own event loop (it waits with
 * `Atomics.wait`), so nothing but the operating system can hold it up; and it ends the
 * process with SIGKILL, the one way a thread can stop a process whose main thread runs
 * JavaScript that never yields. The supervisor or Kubernetes then starts a new one.
 */
const watchdogThread = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const state = new BigInt64Array(workerData.shared);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const die = (msg, extra) => {
  writeSync(2, JSON.stringify({ level: 'fatal', time: new Date().toISOString(), service: 'kovan', msg, ...extra }) + '\\n');
  process.kill(process.pid, 'SIGKILL');
};
for (;;) {
  Atomics.wait(sleeper, 0, 0, workerData.checkMs);
  const now = Date.now();
  const blockedMs = now - Number(Atomics.load(state, ${lastBeat}));
  const deadline = Number(Atomics.load(state, ${hardDeadline}));
  if (deadline > 0 && now > deadline) die('shutdown did not finish within SHUTDOWN_TIMEOUT_MS; hard exit', { blockedMs });
  if (workerData.stallMs > 0 && blockedMs > workerData.stallMs) die('event loop blocked longer than EVENT_LOOP_STALL_MS; killing the process so it is restarted', { blockedMs });
}
`;

/**
 * Ends the process from a second thread when its event loop stops turning: blocked for
 * longer than `stallMs` (0: never), or still shutting down past the deadline armed by
 * {@link Watchdog.armShutdownDeadline}. A timer on the main loop could do neither: it
 * would be as stuck as the loop it watches. One per long-running process (`kovan start`,
 * `api`, `worker`); see docs/OPERATIONS.md §10.
 */
export class Watchdog {
  readonly #state: BigInt64Array;

  private constructor(shared: SharedArrayBuffer) {
    this.#state = new BigInt64Array(shared);
  }

  /** Starts the thread and the heartbeat; resolves once the thread runs. */
  static async start(options: { stallMs: number }): Promise<Watchdog> {
    const shared = new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT);
    const watchdog = new Watchdog(shared);
    watchdog.#beat();
    setInterval(() => watchdog.#beat(), beatMs).unref();
    const thread = new Worker(watchdogThread, { eval: true, workerData: { shared, stallMs: options.stallMs, checkMs } });
    // The thread's start-up needs the main loop once; after 'online' it needs nothing from it,
    // and it must not keep a process alive that has nothing else to do.
    await new Promise<void>((resolve, reject) => { thread.once('online', resolve); thread.once('error', reject); });
    thread.unref();
    return watchdog;
  }

  /** From now on the process may live at most `timeoutMs` more, however busy its loop is. */
  armShutdownDeadline(timeoutMs: number): void {
    Atomics.store(this.#state, hardDeadline, BigInt(Date.now() + timeoutMs));
  }

  #beat(): void {
    Atomics.store(this.#state, lastBeat, BigInt(Date.now()));
  }
}
