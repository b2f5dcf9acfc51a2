import type { ClaimedRow } from './claim.js';
import type { DeliveryLimits } from './limits.js';
import { chatKeyOf, type Pacer, type PaceTicket, type PacedSend } from './pacer.js';

/** A claimed row in the sender's memory; `ticket` is set from the moment pacing let it start. */
export interface Held extends ClaimedRow {
  ticket?: PaceTicket;
  /** A retry waits until then (epoch ms); the chat's later rows wait behind it. */
  notBefore?: number;
}

/** What one round of the sender does with its held rows. */
export interface Wave {
  /** Rows that start now (their tickets taken). */
  wave: Held[];
  /** Rows that cannot start within the hold horizon: back to the table, due at `notBefore`. */
  far: Array<{ id: string; notBefore: Date }>;
  /** The earliest moment a blocked row may start (Infinity: only an answer can unblock). */
  wakeAt: number;
}

export interface WaveContext {
  pacer: Pacer;
  limits: DeliveryLimits;
  /** Calls that may still start (the in-flight limit). */
  room: number;
  /** Chats whose failure is known but not yet recorded. */
  unreachable: ReadonlySet<string>;
  paced(row: Held): PacedSend;
  /** False while stopping: nothing is put back, the stop releases every unsent row anyway. */
  putBack: boolean;
}

/**
 * Walks the held rows in queue order (priority, then arrival) and starts each one pacing
 * allows now; the first blocked row of a chat blocks the chat's later rows, so each chat
 * keeps its order. Rows that cannot start within the hold horizon — by their chat's pace
 * (forecast from the pacer's state), or by their bot's share of the queue ahead — are handed
 * back with an estimate of when they can, half a horizon early: memory holds only the next
 * moments' work, so a reply claimed later is not stuck behind a slow group's backlog.
 */
export function pickWave(held: readonly Held[], now: number, c: WaveContext): Wave {
  const wave: Held[] = [];
  const far: Wave['far'] = [];
  const heldPerChat = new Map<string, number>();
  for (const row of held) if (!row.ticket) heldPerChat.set(chatKeyOf(row), (heldPerChat.get(chatKeyOf(row)) ?? 0) + 1);
  // A blocked chat's forecast is computed when a second row of it shows up, not before.
  const blockedChats = new Map<string, { send: PacedSend; from: number; starts: number[] | null; behind: number }>();
  const waitingPerBot = new Map<string, number>();
  let room = c.room;
  let wakeAt = Infinity;
  const later = (row: Held, eta: number) => {
    if (c.putBack && eta > c.limits.holdHorizonMs) far.push({ id: row.id, notBefore: new Date(now + eta - c.limits.holdHorizonMs / 2) });
  };
  for (const row of held) {
    if (row.ticket) continue;
    const chatKey = chatKeyOf(row);
    if (c.unreachable.has(chatKey)) continue;
    const send = c.paced(row);
    const ahead = waitingPerBot.get(row.botId) ?? 0;
    const botLimit = send.paid ? c.limits.paidBroadcastMessagesPerWindow : c.limits.botMessagesPerWindow;
    const botEta = Math.floor(ahead / botLimit) * c.limits.botWindowMs;
    const blocked = blockedChats.get(chatKey);
    if (blocked) {
      blocked.behind += 1;
      blocked.starts ??= c.pacer.forecast(blocked.send, heldPerChat.get(chatKey)!, blocked.from);
      waitingPerBot.set(row.botId, ahead + 1);
      later(row, Math.max(botEta, blocked.starts[blocked.behind]! - now));
      continue;
    }
    const wait = room > 0 ? Math.max((row.notBefore ?? 0) - now, c.pacer.waitMs(send, now)) : Infinity;
    if (wait <= 0) {
      row.ticket = c.pacer.begin(send, now);
      wave.push(row);
      room -= 1;
      continue;
    }
    waitingPerBot.set(row.botId, ahead + 1);
    // Infinity: the chat has a call in flight, or no call may start now; both end with an answer.
    blockedChats.set(chatKey, { send, from: now + (Number.isFinite(wait) ? wait : 0), starts: null, behind: 0 });
    if (Number.isFinite(wait)) {
      wakeAt = Math.min(wakeAt, now + wait);
      later(row, Math.max(botEta, wait));
    }
  }
  return { wave, far, wakeAt };
}
