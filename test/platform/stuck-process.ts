/**
 * A child process for watchdog.test.ts, in one of the ways a process gets stuck. It prints
 * `ready` once the watchdog runs; the test then watches how (and whether) it ends.
 *
 * - `stall`: the event loop is blocked for good (EVENT_LOOP_STALL_MS = 500).
 * - `drain-blocks`: SIGTERM starts a drain that blocks the loop for good (deadline 500 ms).
 * - `drain-busy`: the loop is busy in 50 ms slices and the drain never finishes (deadline 500 ms).
 * - `drain-ok`: the drain finishes; the process exits 0.
 */
import { stopOnSignal } from '../../src/platform/shutdown.js';
import { Watchdog } from '../../src/platform/watchdog.js';

const mode = process.argv[2];
const blockForever = () => { for (;;) { /* a request that never yields */ } };
const busySlice = () => { const until = Date.now() + 50; while (Date.now() < until) { /* load */ } setImmediate(busySlice); };

const watchdog = await Watchdog.start({ stallMs: mode === 'stall' ? 500 : 0 });
const bound = { watchdog, timeoutMs: 500 };
if (mode === 'stall') setTimeout(blockForever, 20);
if (mode === 'drain-blocks') stopOnSignal(async () => blockForever(), bound);
if (mode === 'drain-busy') {
  stopOnSignal(() => new Promise(() => { /* never drains */ }), bound);
  busySlice();
}
if (mode === 'drain-ok') stopOnSignal(() => new Promise((resolve) => setTimeout(resolve, 50)), bound);
setInterval(() => {}, 1000); // stays up until something ends it
console.log('ready');
