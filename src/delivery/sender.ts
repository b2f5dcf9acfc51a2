import type { TelegramClient } from '../bots/telegram-client.js';
import { TelegramCallError, classifyTelegramError } from '../bots/telegram-errors.js';
import { sendPendingNotifications, type PlatformBot } from '../notify/index.js';
import type { Database } from '../platform/db/index.js';
import type { Logger } from '../platform/log.js';
import type { Mailer } from '../platform/mail.js';
import { Hour, Second } from '../platform/time.js';
import { getConfig } from '../tenancy/index.js';
import { claimDue, nextDueAt, pruneFinished, queueDepth, recordAttempts, recoverAbandoned, renewClaims, unclaim } from './claim.js';
import { judge } from './failures.js';
import { isBulk } from './kinds.js';
import { LeaseLostError, withLease, type FencedTx, type LeaseToken } from './lease-fence.js';
import { resolveLimits, type DeliveryLimits } from './limits.js';
import { forgetQueue, reportQueue, telegram429 } from './metrics.js';
import { recordInDoubt, recordOutcomes, type Outcome, type Recorded } from './outcomes.js';
import { Pacer, chatKeyOf, type PacedSend } from './pacer.js';
import { pickWave, type Held, type Wave } from './wave.js';

export interface DrainerOptions {
  db: Database;
  tenantId: string;
  /** The tenant's lease as granted to this worker; every claim and result write checks it. */
  lease: LeaseToken;
  /** The Telegram client of one of the tenant's bots. */
  clientFor(botId: string): Promise<TelegramClient> | TelegramClient;
  limits?: Partial<DeliveryLimits>;
  log: Logger;
  onEvent?(event: DrainerEvent): void;
  /** When given, pending notifications (quota warnings) are sent to the owners on the housekeeping tick. */
  mailer?: Mailer;
  platformBot?: PlatformBot;
}

/** What a drainer reports as it works (tests, benchmarks and the session's live view listen). */
export type DrainerEvent =
  | { type: 'recovered'; requeued: number; inDoubt: number }
  | { type: 'claimed'; ids: string[] }
  | { type: 'sent'; id: string; botId: string; chatId: number; telegramMessageId: number }
  | { type: 'failed'; id: string; botId: string; chatId: number; reason: string }
  | { type: 'retrying'; id: string; botId: string; chatId: number; reason: string; delayMs: number }
  | { type: 'rate_limited'; botId: string; chatId: number; retryAfterMs: number }
  | { type: 'bot_unauthorized'; botId: string }
  /** Nothing held, nothing in flight, nothing due: the queue is drained for now. */
  | { type: 'idle' }
  | { type: 'stopped'; reason: 'requested' | 'lease_lost' };

export interface OutboxDrainer {
  /** Something was enqueued: look at the table now instead of at the next poll. */
  wake(): void;
  /** Stops claiming, lets in-flight sends finish and records them, puts unsent claims back. */
  stop(): Promise<void>;
  /** Settles when the drainer has stopped, by request or because the lease was lost. */
  readonly stopped: Promise<'requested' | 'lease_lost'>;
}

/** How often claims are renewed, abandoned rows recovered, config and queue gauges refreshed. */
const housekeepingEvery = 15 * Second;
/** How often finished rows past retention are deleted (the first time an hour after start). */
const pruneEvery = 1 * Hour;
/** After an unexpected error (database unreachable), wait this long before the next round. */
const errorPause = 1 * Second;

/**
 * Starts draining one tenant's outbox; the worker holding the tenant's lease runs exactly
 * one. A single loop claims due rows, lets the {@link Pacer} pick which may go now, records
 * the attempt (committed) before each Telegram call, and records answers in batches. All of
 * it fenced by the lease: when the lease is lost the drainer stops and sends nothing more.
 */
export function startOutboxDrainer(options: DrainerOptions): OutboxDrainer {
  const drainer = new Drainer(options);
  return { wake: () => drainer.wake(), stop: () => drainer.stop(), stopped: drainer.stopped };
}

class Drainer {
  readonly stopped: Promise<'requested' | 'lease_lost'>;
  readonly #o: DrainerOptions;
  readonly #limits: DeliveryLimits;
  readonly #pacer: Pacer;
  readonly #log: Logger;
  /** Claimed rows, in queue order (priority, then arrival); a row with a ticket is on the wire. */
  #held: Held[] = [];
  #inFlight = new Map<string, Promise<void>>();
  /** Answers not yet recorded. */
  #outcomes: Outcome[] = [];
  /** The recording transaction under way, and how the last one failed. */
  #flushing: Promise<void> | null = null;
  #flushFailure: unknown = null;
  /** Chats whose failure is known but not yet recorded: nothing more goes to them meanwhile. */
  #unreachable = new Set<string>();
  #clients = new Map<string, TelegramClient>();
  #timeZone = 'UTC';
  #paidBroadcast = false;
  #stopping = false;
  #idleReported = false;
  #mayHaveMore = true;
  #nextDueAt: number | null = null;
  #lastClaimAt = 0;
  #lastHousekeeping = 0;
  #lastPrune = Date.now();
  /** The current idle poll: doubles while claims come back empty, back to the minimum on wake() or work. */
  #idlePoll: number;
  #woken = false;
  #wakeUp: (() => void) | null = null;

  constructor(options: DrainerOptions) {
    this.#o = options;
    this.#limits = resolveLimits(options.limits);
    this.#idlePoll = this.#limits.idlePollMs;
    this.#pacer = new Pacer(this.#limits);
    this.#log = options.log.child({ tenant_id: options.tenantId, component: 'outbox-drainer' });
    this.stopped = this.#run();
    // The loop reports its own end; a rejection here would only duplicate that.
    this.stopped.catch(() => {});
  }

  wake(): void {
    this.#mayHaveMore = true;
    this.#idlePoll = this.#limits.idlePollMs;
    this.#nudge();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.wake();
    await this.stopped;
  }

  async #run(): Promise<'requested' | 'lease_lost'> {
    let reason: 'requested' | 'lease_lost' = 'requested';
    try {
      while (!this.#stopping) {
        try {
          await this.#round();
        } catch (error) {
          if (error instanceof LeaseLostError) throw error;
          this.#log.error({ err: error }, 'outbox drainer round failed; retrying');
          await this.#sleep(Date.now() + errorPause);
        }
      }
      await Promise.all(this.#inFlight.values());
      await this.#flushAll();
      const unsent = this.#held.filter((row) => !row.ticket).map((row) => ({ id: row.id, notBefore: row.notBefore ? new Date(row.notBefore) : null }));
      await this.#commit([], unsent);
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
      reason = 'lease_lost';
      this.#stopping = true;
      this.#log.warn('lease lost: the outbox drainer stops');
      // Calls already on the wire cannot be recalled; their answers are not ours to record.
      await Promise.all([...this.#inFlight.values(), this.#flushing]);
    } finally {
      forgetQueue(this);
    }
    this.#emit({ type: 'stopped', reason });
    return reason;
  }

  /**
   * One pass: look after claims and config now and then; pick what pacing allows; record
   * the attempts (one fenced transaction) and only then start the calls; hand the answers
   * gathered so far to the recording path; then claim if there is room.
   */
  async #round(): Promise<void> {
    this.#throwFlushFailure();
    if (Date.now() - this.#lastHousekeeping >= housekeepingEvery) await this.#housekeeping(Date.now());
    const { wave, far, wakeAt } = this.#pick(Date.now());
    await this.#commit(wave, far);
    this.#startFlush();
    // Claiming comes after the wave is on its way, so it never delays a send that is due.
    if (this.#shouldClaim(Date.now()) && (await this.#claim(Date.now())) > 0) this.#nudge();
    this.#reportIdle();
    // Claim-driven wake-ups only count when a claim could take something.
    const claimAt = this.#roomToClaim() ? this.#nextClaimAt() : Infinity;
    await this.#sleep(Math.min(wakeAt, claimAt));
  }

  /** A fenced transaction; `durable: false` only where losing it in a database crash is harmless (see withLease). */
  #fenced<T>(fn: (tx: FencedTx) => Promise<T>, durable = true): Promise<T> {
    return withLease(this.#o.db, this.#o.tenantId, this.#o.lease, fn, { durable });
  }

  async #housekeeping(now: number): Promise<void> {
    this.#lastHousekeeping = now;
    const mine = this.#held.map((row) => row.id);
    const { recovered, depth } = await this.#fenced(async (tx) => {
      this.#timeZone = await getConfig(tx, 'time_zone');
      this.#paidBroadcast = await getConfig(tx, 'paid_broadcast');
      await renewClaims(tx, mine, this.#limits.claimTtlMs);
      const recovered = await recoverAbandoned(tx, mine);
      await recordInDoubt(tx, recovered.inDoubt, this.#timeZone);
      if (now - this.#lastPrune >= pruneEvery) {
        this.#lastPrune = now;
        await pruneFinished(tx, this.#limits.retentionMs);
      }
      return { recovered, depth: await queueDepth(tx) };
    }, false);
    reportQueue(this, depth.depth, depth.oldestAgeSeconds);
    this.#pacer.sweep(now);
    if (recovered.requeued > 0 || recovered.inDoubt.length > 0) {
      this.#log.info({ requeued: recovered.requeued, in_doubt: recovered.inDoubt.length }, 'recovered rows of a previous sender');
      this.#mayHaveMore = true;
      this.#emit({ type: 'recovered', requeued: recovered.requeued, inDoubt: recovered.inDoubt.length });
    }
    if (this.#o.mailer || this.#o.platformBot) {
      await sendPendingNotifications({ db: this.#o.db, mailer: this.#o.mailer, platformBot: this.#o.platformBot, log: this.#log }, this.#o.tenantId);
    }
  }

  #roomToClaim(): boolean {
    return !this.#stopping && this.#limits.maxHeld - this.#held.length >= this.#limits.maxHeld / 4;
  }

  #shouldClaim(now: number): boolean {
    return this.#roomToClaim() && (this.#mayHaveMore || now >= this.#nextClaimAt());
  }

  /**
   * When to look at the table next without being woken: at the idle poll (backing off while
   * the table stays empty: a worker holds many tenants, and wake() is the fast path), or when a row put
   * off becomes due — but, while rows are held, not more often than every quarter of the hold
   * horizon: rows are put off to come back half a horizon early, so claiming them in batches
   * costs no send its time, and the sending path is not slowed by a claim per row.
   */
  #nextClaimAt(): number {
    const poll = this.#lastClaimAt + this.#idlePoll;
    if (this.#nextDueAt === null) return poll;
    const spacing = this.#held.length === 0 ? 0 : this.#limits.holdHorizonMs / 4;
    return Math.min(poll, Math.max(this.#nextDueAt, this.#lastClaimAt + spacing));
  }

  /** Claims due rows into memory; returns how many. */
  async #claim(now: number): Promise<number> {
    const limit = Math.min(this.#limits.claimBatch, this.#limits.maxHeld - this.#held.length);
    const { rows, due } = await this.#fenced(async (tx) => ({
      rows: await claimDue(tx, limit, this.#limits.claimTtlMs),
      due: await nextDueAt(tx),
    }), false);
    this.#lastClaimAt = now;
    this.#nextDueAt = due?.getTime() ?? null;
    this.#mayHaveMore = rows.length === limit;
    this.#idlePoll = rows.length === 0 && this.#held.length === 0
      ? Math.min(this.#idlePoll * 2, this.#limits.maxIdlePollMs)
      : this.#limits.idlePollMs;
    if (rows.length === 0) return 0;
    this.#held = [...this.#held, ...rows].sort((a, b) => a.priority - b.priority || a.seq - b.seq);
    this.#idleReported = false;
    this.#emit({ type: 'claimed', ids: rows.map((r) => r.id) });
    return rows.length;
  }

  #pick(now: number): Wave {
    return pickWave(this.#held, now, {
      pacer: this.#pacer, limits: this.#limits, room: this.#limits.maxInFlight - this.#inFlight.size,
      unreachable: this.#unreachable, paced: (row) => this.#paced(row), putBack: !this.#stopping,
    });
  }

  #paced(row: Held): PacedSend {
    return { botId: row.botId, chatId: row.chatId, paid: this.#paidBroadcast && isBulk(row.kind) };
  }

  /**
   * The sending path's fenced transaction: far-off rows go back to the table and the wave's
   * attempts are recorded; once it commits, the wave's calls start. A row of the wave that is
   * no longer ours (paused or cancelled since its claim) is dropped unsent; rows of a bot
   * whose client cannot be had go back for a while. If the transaction fails, nothing of it
   * happened and the wave's pacing is given back.
   */
  async #commit(wave: Held[], far: Array<{ id: string; notBefore: Date | null }>): Promise<void> {
    const unavailable = await this.#resolveClients(wave);
    if (unavailable.size > 0) {
      const until = Date.now() + this.#limits.unauthorizedPauseMs;
      const stuck = wave.filter((row) => unavailable.has(row.botId));
      this.#release(stuck, Date.now());
      for (const botId of unavailable) this.#pacer.pauseBot(botId, until);
      far = [...far, ...stuck.map((row) => ({ id: row.id, notBefore: new Date(until) }))];
      wave = wave.filter((row) => !unavailable.has(row.botId));
    }
    if (wave.length === 0 && far.length === 0) return;
    let attempts: Array<{ id: string; chatId: number; attempts: number }>;
    try {
      attempts = await this.#fenced(async (tx) => {
        await unclaim(tx, far);
        return recordAttempts(tx, wave.map((row) => row.id), this.#limits.claimTtlMs);
      });
    } catch (error) {
      this.#release(wave, Date.now());
      throw error;
    }
    if (far.length > 0) {
      this.#drop(new Set(far.map((r) => r.id)));
      const times = far.map((r) => r.notBefore?.getTime() ?? Date.now());
      this.#nextDueAt = Math.min(this.#nextDueAt ?? Infinity, ...times);
    }
    this.#start(wave, attempts);
  }

  /**
   * The recording path, beside the sending path (its own transaction, on another
   * connection): the answers gathered so far are recorded in one fenced transaction, and
   * those rows leave memory. Sends never wait for it. A failure puts the answers back for
   * the next flush and surfaces in the loop (a lost lease stops the drainer).
   */
  #startFlush(): void {
    if (this.#flushing || this.#outcomes.length === 0) return;
    const batch = this.#outcomes;
    this.#outcomes = [];
    this.#flushing = this.#fenced((tx) => recordOutcomes(tx, batch, this.#timeZone), false)
      .then((recorded) => this.#settle(batch, recorded))
      .catch((error: unknown) => {
        this.#outcomes = [...batch, ...this.#outcomes];
        this.#flushFailure = error;
      })
      .finally(() => {
        this.#flushing = null;
        this.#nudge();
      });
  }

  /** Waits for the recording path to catch up with every answer received. */
  async #flushAll(): Promise<void> {
    while (this.#flushing || this.#outcomes.length > 0) {
      this.#startFlush();
      await this.#flushing;
      this.#throwFlushFailure();
    }
  }

  #throwFlushFailure(): void {
    const failure = this.#flushFailure;
    this.#flushFailure = null;
    if (failure) throw failure;
  }

  /** Clients of the wave's bots (asked for once per bot); returns the bots that have none. */
  async #resolveClients(wave: Held[]): Promise<Set<string>> {
    const unavailable = new Set<string>();
    for (const botId of new Set(wave.map((row) => row.botId))) {
      if (this.#clients.has(botId)) continue;
      try {
        this.#clients.set(botId, await this.#o.clientFor(botId));
      } catch (error) {
        this.#log.warn({ err: error, bot_id: botId }, 'no Telegram client for the bot; its messages wait');
        unavailable.add(botId);
      }
    }
    return unavailable;
  }

  /** Starts the calls of the rows whose attempt was recorded; the others were not ours any more. */
  #start(wave: Held[], attempts: Array<{ id: string; chatId: number; attempts: number }>): void {
    const started = new Map(attempts.map((a) => [a.id, a]));
    const now = Date.now();
    const gone = wave.filter((row) => !started.has(row.id));
    this.#release(gone, now);
    this.#drop(new Set(gone.map((row) => row.id)));
    for (const row of wave) {
      const attempt = started.get(row.id);
      if (!attempt) continue;
      row.attempts = attempt.attempts;
      if (attempt.chatId !== row.chatId) {
        // Retargeted since the claim (the group migrated): pace it for the chat it goes to now.
        this.#pacer.end(row.ticket!, now);
        row.chatId = attempt.chatId;
        row.ticket = this.#pacer.begin(this.#paced(row), now);
      }
      const call = this.#send(row, this.#clients.get(row.botId)!).finally(() => this.#inFlight.delete(row.id));
      this.#inFlight.set(row.id, call);
    }
  }

  /** Gives back the pacing of rows that began but will not be sent now. */
  #release(rows: Held[], now: number): void {
    for (const row of rows) {
      this.#pacer.end(row.ticket!, now);
      delete row.ticket;
    }
  }

  async #send(row: Held, client: TelegramClient): Promise<void> {
    const paid = this.#paced(row).paid;
    let result: Outcome['result'];
    try {
      const sent = await client.sendMessage(row.chatId, row.text, {
        ...(row.parseMode ? { parseMode: row.parseMode } : {}),
        ...(row.replyToMessageId ? { replyToMessageId: row.replyToMessageId } : {}),
        ...(paid ? { allowPaidBroadcast: true } : {}),
      });
      result = { action: 'sent', telegramMessageId: sent.messageId };
    } catch (error) {
      const failure = error instanceof TelegramCallError ? error.failure : classifyTelegramError(error);
      result = judge(failure, row.attempts, this.#limits);
    }
    const answeredAt = Date.now();
    this.#pacer.end(row.ticket!, answeredAt);
    this.#react(row, result, answeredAt);
    this.#outcomes.push({ id: row.id, botId: row.botId, chatId: row.chatId, kind: row.kind, text: row.text, templateId: row.templateId, at: new Date(answeredAt), result });
    this.#nudge();
  }

  /** What an answer changes at once, before it is recorded: pauses, and no more sends to a dead chat. */
  #react(row: Held, result: Outcome['result'], at: number): void {
    if (result.action === 'retry' && result.pause) {
      telegram429.inc();
      this.#pacer.pauseBot(row.botId, at + result.delayMs);
      this.#pacer.pauseChat(row.botId, row.chatId, at + result.delayMs);
      this.#emit({ type: 'rate_limited', botId: row.botId, chatId: row.chatId, retryAfterMs: result.delayMs });
    } else if (result.action === 'fail') {
      if (result.loss) this.#unreachable.add(chatKeyOf(row));
      if (result.pauseBotMs) {
        // The token was refused: after the pause, ask for the bot's client again (it may have a new token).
        this.#clients.delete(row.botId);
        this.#pacer.pauseBot(row.botId, at + result.pauseBotMs);
        this.#emit({ type: 'bot_unauthorized', botId: row.botId });
      }
    } else if (result.action === 'retarget') {
      this.#unreachable.add(chatKeyOf(row));
    }
  }

  /**
   * After the answers are recorded: finished rows (and held rows to a target that is gone)
   * leave memory; a retried or retargeted row stays where it is in the queue, ready again
   * at its retry time or for its new chat.
   */
  #settle(outcomes: Outcome[], recorded: Recorded): void {
    const byId = new Map(this.#held.map((row) => [row.id, row]));
    const done = new Set<string>();
    const lost = new Set(recorded.lostTargets.map(chatKeyOf));
    for (const row of this.#held) if (!row.ticket && lost.has(chatKeyOf(row))) done.add(row.id);
    for (const o of outcomes) {
      const row = byId.get(o.id);
      const r = o.result;
      const chatKey = chatKeyOf(o);
      if (!row || !recorded.applied.has(o.id) || r.action === 'sent' || r.action === 'fail') {
        done.add(o.id);
      } else {
        delete row.ticket;
        if (r.action === 'retry') row.notBefore = o.at.getTime() + r.delayMs;
      }
      if (r.action === 'retarget') {
        this.#unreachable.delete(chatKey);
        for (const held of this.#held) if (chatKeyOf(held) === chatKey && !held.ticket) held.chatId = r.chatId;
      } else if (lost.has(chatKey)) {
        this.#unreachable.delete(chatKey);
      }
      this.#report(o);
    }
    this.#drop(done);
  }

  #report(o: Outcome): void {
    const r = o.result;
    const where = { id: o.id, botId: o.botId, chatId: o.chatId };
    if (r.action === 'sent') this.#emit({ type: 'sent', ...where, telegramMessageId: r.telegramMessageId });
    else if (r.action === 'fail') this.#emit({ type: 'failed', ...where, reason: r.reason });
    else if (r.action === 'retry') this.#emit({ type: 'retrying', ...where, reason: r.reason, delayMs: r.delayMs });
    else this.#emit({ type: 'retrying', ...where, reason: 'migrated', delayMs: 0 });
  }

  #drop(ids: Set<string>): void {
    if (ids.size > 0) this.#held = this.#held.filter((row) => !ids.has(row.id));
  }

  #reportIdle(): void {
    const idle = this.#held.length === 0 && this.#inFlight.size === 0 && this.#outcomes.length === 0 && !this.#flushing && !this.#mayHaveMore;
    if (idle && !this.#idleReported) this.#emit({ type: 'idle' });
    this.#idleReported = idle;
  }

  /** Ends the current sleep, or the next one before it starts. */
  #nudge(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  #sleep(until: number): Promise<void> {
    if (this.#woken || this.#stopping) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakeUp = null;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(until - Date.now(), housekeepingEvery)));
      this.#wakeUp = done;
    });
  }

  #emit(event: DrainerEvent): void {
    try {
      this.#o.onEvent?.(event);
    } catch (error) {
      this.#log.warn({ err: error }, 'drainer event listener threw');
    }
  }
}
