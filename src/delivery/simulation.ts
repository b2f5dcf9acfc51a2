import { AppError } from '../platform/errors.js';
import { MinHeap } from '../platform/min-heap.js';
import { Day } from '../platform/time.js';
import type { DeliveryLimits } from './limits.js';
import { Pacer, type PacedSend } from './pacer.js';

/**
 * The sender replayed on a virtual clock, for the planner: when would each queued row start?
 *
 * The sender's pick, which this reproduces: at each instant the unsent rows are taken in
 * queue order (priority, then seq); a chat's first unsent row starts if pacing allows (a
 * blocked chat keeps its later rows back), a bot whose window is full starts nothing more
 * until it has room, and a call occupies its chat for `callMs`.
 *
 * Instead of walking every row at every instant (quadratic, and the cause of issue 11's hang:
 * the clock moved by `ceil(now + wait)`, which for a wait of 2e-13 ms from the token bucket's
 * rounding is `now` again), each chat waits in a timer heap until the instant its own limits
 * let it go, then in its bot's ready heap (one per paid-ness) ordered by its first row.
 *
 * Termination, and why the cost is linear in steps. The clock is a whole millisecond below
 * 2^53 (so `now + k`, k ≥ 1, is always later) and never goes back. A step is one of:
 *  - a timer pop: the chat enters its bot's ready heap, or — its wait still above 0 — is
 *    re-armed at least 1 ms later. A chat is armed once at the start and once per row it
 *    starts; re-arming happens only when rounding left a sliver of wait (the windows are
 *    sums of whole and fractional parts, exact in doubles here; the token bucket's division
 *    is not), and that sliver is far below the whole millisecond re-arming adds.
 *  - a start attempt on the first ready chat of a bot's heap: it starts a row (N in all),
 *    or the bot's window is full and that heap sleeps until a strictly later whole
 *    millisecond, when only rows started meanwhile can have filled it again.
 * So the number of steps is below `stepBudget(N)`. Independently of any rounding argument,
 * the loop stops: every step that starts nothing moves an instant strictly forward, and
 * nothing is looked at past `start + horizonMs`. A wait of Infinity (a limit under one
 * message) marks what it holds as never startable instead of waiting for it.
 */

export interface SimRow {
  /** The caller's handle for the row's outcome. */
  ref: number;
  botId: string;
  chatId: number;
  priority: number;
  seq: number;
  /** Epoch ms before which the row may not start. */
  notBefore: number;
  /** Sent with `allow_paid_broadcast` (the paid per-bot limit). */
  paid: boolean;
}

/** Why a row has no ETA: a limit that lets nothing through, or a start past the horizon. */
export type UnplannedReason = 'never' | 'beyond_horizon';

export type SimOutcome = { eta: number } | { eta: null; reason: UnplannedReason };

export interface Simulation {
  /** Every row's outcome by `ref`; started rows first, in the order they started. */
  outcomes: Map<number, SimOutcome>;
  steps: number;
}

/** How far ahead the replay looks: past any quota deferral (7 days) plus the slowest pacing of the largest plannable queue. */
export const planHorizonMs = 31 * Day;

/** The step budget for `rows` rows: the proof above gives at most 6 steps per row plus 2 per bot. */
export function stepBudget(rows: number): number {
  return 8 * rows + 64;
}

interface Chat {
  rows: SimRow[];
  /** Queue position (0 = first) of each row. */
  ranks: number[];
  /** Index of the first unsent row. */
  head: number;
  /** `ranks[head]`: the chat's place in its bot's ready heap. */
  rank: number;
  send: PacedSend;
  /** When its own limits next let it start (timer heap key). */
  readyAt: number;
  busyUntil: number;
  /** A limit under one message: nothing of it will ever start. */
  never: boolean;
}

export function simulate(
  rows: readonly SimRow[], limits: DeliveryLimits, callMs: number, start: number,
  options: { horizonMs?: number; budget?: number } = {},
): Simulation {
  const ordered = [...rows].sort((a, b) => a.priority - b.priority || a.seq - b.seq);
  const byBot = new Map<string, Map<number, Chat>>();
  ordered.forEach((row, rank) => {
    const chats = byBot.get(row.botId) ?? new Map<number, Chat>();
    byBot.set(row.botId, chats);
    const chat = chats.get(row.chatId);
    if (chat) {
      chat.rows.push(row);
      chat.ranks.push(rank);
    } else {
      chats.set(row.chatId, { rows: [row], ranks: [rank], head: 0, rank, send: sendOf(row), readyAt: 0, busyUntil: -Infinity, never: false });
    }
  });

  const from = Math.ceil(start);
  const replay: Replay = {
    pacer: new Pacer(limits),
    call: Math.max(1, Math.ceil(callMs)),
    horizonEnd: Math.min(from + (options.horizonMs ?? planHorizonMs), Number.MAX_SAFE_INTEGER),
    budget: options.budget ?? stepBudget(rows.length),
    steps: 0,
    outcomes: new Map(),
  };
  for (const chats of byBot.values()) replayBot([...chats.values()], replay, from);
  return { outcomes: replay.outcomes, steps: replay.steps };
}

interface Replay {
  pacer: Pacer;
  call: number;
  horizonEnd: number;
  budget: number;
  steps: number;
  outcomes: Map<number, SimOutcome>;
}

/** One bot's rows: bots share no limit, so each replays on its own from `from`. */
function replayBot(chats: Chat[], replay: Replay, from: number): void {
  const { pacer } = replay;
  const timers = new MinHeap<Chat>((a, b) => a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.rank < b.rank));
  const byHead = (a: Chat, b: Chat) => a.rank < b.rank;
  /** Chats free to start by their own limits, waiting for the bot: [unpaid, paid]. */
  const ready = [new MinHeap<Chat>(byHead), new MinHeap<Chat>(byHead)] as const;
  /** Before this instant the bot's window (of that paid-ness) is full. */
  const botFreeAt = [from, from];
  const step = () => {
    if (++replay.steps > replay.budget) {
      throw new AppError('plan_unavailable', 'the delivery plan could not be computed within its step budget', { budget: replay.budget });
    }
  };
  const arm = (chat: Chat, now: number) => {
    const wait = chatWait(chat, pacer, now);
    if (wait === Infinity) chat.never = true;
    else {
      chat.readyAt = wait > 0 ? later(now, wait) : now;
      timers.push(chat);
    }
  };

  for (const chat of chats) arm(chat, from);
  let now = from;
  for (;;) {
    let next = timers.peek()?.readyAt ?? Infinity;
    for (const p of [0, 1] as const) if (ready[p].size > 0) next = Math.min(next, botFreeAt[p]!);
    if (!(next <= replay.horizonEnd)) break;
    now = Math.max(now, next);

    while ((timers.peek()?.readyAt ?? Infinity) <= now) {
      step();
      const chat = timers.pop()!;
      if (chatWait(chat, pacer, now) > 0) arm(chat, now);
      else ready[chat.send.paid ? 1 : 0].push(chat);
    }

    for (;;) {
      const p = firstToTry(ready, botFreeAt, now);
      if (p === null) break;
      step();
      const chat = ready[p].peek()!;
      const botWait = pacer.botWaitMs(chat.send, now);
      if (botWait > 0) {
        botFreeAt[p] = later(now, botWait);
        continue;
      }
      ready[p].pop();
      const row = chat.rows[chat.head++]!;
      pacer.end(pacer.begin(chat.send, now), now + replay.call);
      chat.busyUntil = now + replay.call;
      replay.outcomes.set(row.ref, { eta: now });
      if (chat.head < chat.rows.length) {
        chat.rank = chat.ranks[chat.head]!;
        if (chat.rows[chat.head]!.paid !== chat.send.paid) chat.send = sendOf(chat.rows[chat.head]!);
        arm(chat, now);
      }
    }
  }

  // What is left never starts (a limit under one message), or not before the horizon.
  for (const p of [0, 1] as const) if (botFreeAt[p] === Infinity) for (const chat of ready[p].drain()) chat.never = true;
  for (const chat of chats) {
    for (const row of chat.rows.slice(chat.head)) replay.outcomes.set(row.ref, { eta: null, reason: chat.never ? 'never' : 'beyond_horizon' });
  }
}

/** The ready heap whose first chat goes next: bot not known to be full, earliest in queue order. */
function firstToTry(ready: readonly [MinHeap<Chat>, MinHeap<Chat>], botFreeAt: number[], now: number): 0 | 1 | null {
  const unpaid = botFreeAt[0]! <= now ? ready[0].peek() : undefined;
  const paid = botFreeAt[1]! <= now ? ready[1].peek() : undefined;
  if (unpaid && (!paid || unpaid.rank < paid.rank)) return 0;
  return paid ? 1 : null;
}

/** How long the chat's first row must still wait by its own limits; Infinity when never (NaN counts as never). */
function chatWait(chat: Chat, pacer: Pacer, now: number): number {
  const wait = Math.max(chat.rows[chat.head]!.notBefore - now, chat.busyUntil - now, pacer.chatWaitMs(chat.send, now));
  return Number.isNaN(wait) ? Infinity : wait;
}

/**
 * The whole millisecond `wait` after `now` — and at least 1 ms after: the clock must move.
 * `now + wait` absorbs a rounding sliver of wait (2e-13 ms) as the sender's clock would; if
 * the pacer still sees it there, the next try is 1 ms on.
 */
function later(now: number, wait: number): number {
  return Number.isNaN(wait) ? Infinity : Math.max(now + 1, Math.ceil(now + wait));
}

function sendOf(row: SimRow): PacedSend {
  return { botId: row.botId, chatId: row.chatId, paid: row.paid };
}
