import { Second } from '../platform/time.js';

/** Progress of a long job, for a person watching a terminal. */
export interface Progress {
  /** A new phase with `total` units of work (rows). */
  start(label: string, total: number): void;
  advance(units?: number): void;
  /** Ends the current phase, leaving its final line on screen. */
  finish(): void;
}

export const noProgress: Progress = { start() {}, advance() {}, finish() {} };

const redrawInterval = Second / 10;
const barWidth = 24;

/**
 * A one-line progress bar redrawn in place (`\r`), at most ten times a second so drawing
 * never slows the work. Only for terminals: on a pipe or in a log it draws nothing.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return noProgress;
  let label = '';
  let total = 0;
  let done = 0;
  let startedAt = 0;
  let drawnAt = 0;
  const number = new Intl.NumberFormat('en-US');

  const draw = () => {
    drawnAt = Date.now();
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(fraction * barWidth);
    const rate = done / Math.max(0.001, (drawnAt - startedAt) / Second);
    const line = `${label}  [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${number.format(done)}/${number.format(total)}  ${number.format(Math.round(rate))} rows/s`;
    stream.write(`\r\x1b[K${line.slice(0, Math.max(20, (stream.columns || 120) - 1))}`);
  };

  return {
    start(newLabel, newTotal) {
      [label, total, done, startedAt] = [newLabel, newTotal, 0, Date.now()];
      draw();
    },
    advance(units = 1) {
      done += units;
      if (Date.now() - drawnAt >= redrawInterval) draw();
    },
    finish() {
      draw();
      stream.write('\n');
    },
  };
}
