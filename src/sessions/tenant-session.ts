import type { Update } from 'grammy/types';
import type { Cache } from '../platform/cache/index.js';
import type { SecretBox } from '../platform/crypto.js';
import type { Database } from '../platform/db/index.js';
import type { Logger } from '../platform/log.js';
import type { Mailer } from '../platform/mail.js';
import { Minute } from '../platform/time.js';
import { listBots, openBotCredentials, setBotStatus, type BotCredentials } from '../bots/bots.js';
import { TelegramClient } from '../bots/telegram-client.js';
import type { TelegramFailure } from '../bots/telegram-errors.js';
import { startOutboxDrainer, runDueSchedules, type OutboxDrainer } from '../delivery/index.js';
import { publishEvents, sessionChannel, type SessionSignal } from '../events/index.js';
import { notifyTenant, type PlatformBot } from '../notify/index.js';
import type { SessionLease } from '../platform/fencing.js';
import { updatesReceived } from '../messaging/metrics.js';
import { allowedUpdates, type FollowUp } from '../messaging/pipeline.js';
import { runFollowUp } from './follow-ups.js';
import { startPoller } from './poller.js';
import { processPolledUpdate } from './updates.js';
import { refreshMemberCounts } from './group-facts.js';
import { checkWebhook } from './webhook-guard.js';

export interface SessionDeps {
  db: Database;
  /** Send the tenant's pending notifications (quota warnings) from the worker: by e-mail, and by Telegram from the platform bot. */
  mailer?: Mailer;
  platformBot?: PlatformBot;
  cache: Cache;
  secrets: SecretBox;
  log: Logger;
  apiRoot: string;
  /** Webhook mode when set. */
  publicUrl?: string;
  pollTimeoutSeconds: number;
}

/** Why a session stopped on its own: the worker decides whether to retry or park it. */
export interface SessionFailure {
  reason: string;
  /** Retrying cannot help (token revoked): park the session and tell the tenant. */
  permanent: boolean;
}

export interface SessionHealth {
  bots: number;
  connected: boolean;
  lastUpdateAt: string | null;
  lastError: string | null;
  startedAt: string;
}

const memberCountRefresh = 30 * Minute;
const webhookCheckInterval = 5 * Minute;

/**
 * One tenant's Telegram runtime on the worker that holds its lease: a poller per bot (or
 * the webhook and its guard), the outbox drainer, the schedule ticker, and the follow-ups
 * of join requests. At most one exists per tenant in the whole fleet, because it runs
 * only while its lease is held and every write it makes is fenced by the lease's epoch.
 */
export class TenantSession {
  readonly #stops: Array<() => Promise<void>> = [];
  #drainer: OutboxDrainer | undefined;
  #stopped = false;
  #schedulesRunning = false;
  readonly #health: SessionHealth = { bots: 0, connected: false, lastUpdateAt: null, lastError: null, startedAt: new Date().toISOString() };
  readonly #clients = new Map<string, TelegramClient>();
  readonly log: Logger;

  constructor(
    readonly deps: SessionDeps,
    readonly lease: SessionLease,
    readonly onFailure: (failure: SessionFailure) => void,
    /** The worker's local view: how much longer may it act on its last lease renewal? */
    readonly leaseValidForMs: () => number = () => Infinity,
    /** The tenant's bots changed: the worker restarts the session (not a failure). */
    readonly onRestartWanted: () => void = () => {},
  ) {
    this.log = deps.log.child({ tenant_id: lease.tenantId, epoch: lease.epoch });
  }

  async start(): Promise<void> {
    const bots = await this.deps.db.withTenant(this.lease.tenantId, async (tx) => {
      const credentials: BotCredentials[] = [];
      for (const bot of (await listBots(tx)).filter((b) => b.status !== 'failed')) credentials.push(await openBotCredentials(tx, this.deps.secrets, bot.id));
      return credentials;
    });
    this.#health.bots = bots.length;
    for (const bot of bots) this.#clients.set(bot.id, new TelegramClient(bot.token, this.deps.apiRoot));

    this.#drainer = startOutboxDrainer({
      db: this.deps.db, tenantId: this.lease.tenantId, lease: this.lease, log: this.log, mailer: this.deps.mailer, platformBot: this.deps.platformBot,
      clientFor: (botId: string) => this.#clientFor(botId),
    });
    this.#stops.push(() => this.#drainer!.stop());
    for (const bot of bots) await this.#startBot(bot);
    this.#every(memberCountRefresh, () => this.#refreshCounts());
    void this.#refreshCounts();
    const unsubscribe = await this.deps.cache.subscribe(sessionChannel(this.lease.tenantId), (message) => this.#onSignal(message));
    this.#stops.push(unsubscribe);
    this.#health.connected = true;
    this.log.info({ bots: bots.length }, 'session started');
  }

  /**
   * Runs the schedules that are due (the worker checks for all its sessions at once, each
   * tick); a run still going is not started twice.
   */
  runDueSchedules(): void {
    if (this.#schedulesRunning || this.#stopped) return;
    this.#schedulesRunning = true;
    runDueSchedules({ db: this.deps.db, tenantId: this.lease.tenantId, lease: this.lease, now: new Date() })
      // Wake the drainer only when a run queued something: an unconditional wake would reset
      // its idle back-off and keep an idle session claiming needlessly.
      .then((reports) => { if (reports.some((r) => r.accepted > 0 || r.deferred > 0)) this.#drainer?.wake(); })
      .catch((error) => this.log.warn({ err: error }, 'schedules could not run'))
      .finally(() => { this.#schedulesRunning = false; });
  }

  /** Work arrived (an enqueue elsewhere): send it now instead of at the next tick. */
  wake(): void {
    this.#drainer?.wake();
  }

  health(): SessionHealth {
    return { ...this.#health };
  }

  /** Stops everything: pollers first (no new work), then the drainer finishes in-flight sends. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const stop of this.#stops.reverse()) await stop().catch((error) => this.log.warn({ err: error }, 'session part did not stop cleanly'));
    this.log.info('session stopped');
  }

  #clientFor(botId: string): TelegramClient {
    const client = this.#clients.get(botId);
    if (!client) throw new Error(`bot ${botId} is not part of this session`);
    return client;
  }

  async #startBot(bot: BotCredentials): Promise<void> {
    const client = this.#clientFor(bot.id);
    const pipelineBot = { id: bot.id, username: bot.username, telegramBotId: bot.telegramBotId };
    if (bot.mode === 'webhook' && this.deps.publicUrl) {
      const url = `${this.deps.publicUrl.replace(/\/$/, '')}/tg/${bot.routeId}`;
      await client.setWebhook(url, bot.webhookSecret, allowedUpdates).catch((error) => this.#fail(bot, error.failure));
      this.#every(webhookCheckInterval, () => checkWebhook({ ...this.deps, lease: this.lease, log: this.log }, bot, client, url));
      return;
    }
    const poller = startPoller({
      client, startOffset: bot.updateOffset, timeoutSeconds: this.deps.pollTimeoutSeconds, log: this.log.child({ bot_id: bot.id }),
      onUpdate: (update: Update) => this.#handle(pipelineBot, update),
      onFatal: (failure) => this.#fail(bot, failure),
      onHealthy: () => { this.#health.connected = true; },
      onLeaseLost: () => this.onFailure({ reason: 'lease lost', permanent: false }),
      leaseValidForMs: this.leaseValidForMs,
    });
    this.#stops.push(() => poller.stop());
  }

  async #handle(bot: { id: string; username: string; telegramBotId: number }, update: Update): Promise<void> {
    updatesReceived.inc({ source: 'polling' });
    const result = await processPolledUpdate(this.deps, this.lease, bot, update);
    this.#health.lastUpdateAt = new Date().toISOString();
    if (result.enqueued > 0) this.wake();
    this.#followUp(bot.id, result.followUps);
    const newGroups = result.events.filter((e) => e.type === 'group').map((e) => e.data.chatId as number);
    if (newGroups.length > 0) void this.#refreshCounts(newGroups);
  }

  #refreshCounts(chatIds?: number[]): Promise<void> {
    return refreshMemberCounts({ db: this.deps.db, lease: this.lease }, (botId) => this.#clients.get(botId), chatIds)
      .catch((error) => this.log.warn({ err: error }, 'member counts not refreshed'));
  }

  #followUp(botId: string, followUps: FollowUp[]): void {
    for (const followUp of followUps) {
      void runFollowUp({ db: this.deps.db, tenantId: this.lease.tenantId, log: this.log, wake: () => this.wake() }, this.#clientFor(botId), followUp);
    }
  }

  /** The API received updates by webhook (wake the drainer, run follow-ups) or the bots changed. */
  #onSignal(message: string): void {
    const signal = JSON.parse(message) as SessionSignal;
    // A connected bot must start polling, a disconnected one must stop at once (its token is wiped).
    if (signal.botsChanged) return this.onRestartWanted();
    this.wake();
    if (signal.botId && signal.followUps?.length && this.#clients.has(signal.botId)) this.#followUp(signal.botId, signal.followUps);
  }

  async #fail(bot: BotCredentials, failure: TelegramFailure): Promise<void> {
    const permanent = failure.kind === 'unauthorized';
    const reason = permanent
      ? 'Telegram rejected the bot token (revoked or changed in @BotFather): connect the bot again in Settings'
      : `Telegram failure: ${failure.description}`;
    this.#health.lastError = reason;
    this.#health.connected = false;
    await this.deps.db.withTenant(this.lease.tenantId, async (tx) => {
      await setBotStatus(tx, bot.id, permanent ? 'failed' : 'degraded', reason);
      if (permanent) await notifyTenant(tx, { event: 'bot_failed', title: `@${bot.username} stopped`, body: reason, data: { botId: bot.id }, dedupeKey: `bot_failed:${bot.id}:${new Date().toISOString().slice(0, 10)}` });
    }).catch((error) => this.log.warn({ err: error }, 'could not record the bot failure'));
    await publishEvents(this.deps.cache, this.lease.tenantId, [{ type: 'bot_status', at: new Date().toISOString(), data: { botId: bot.id, status: permanent ? 'failed' : 'degraded', reason } }]).catch(() => {});
    this.onFailure({ reason, permanent });
  }

  #every(intervalMs: number, task: () => Promise<unknown>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || this.#stopped) return;
      running = true;
      task().catch((error) => this.log.warn({ err: error }, 'periodic session task failed')).finally(() => { running = false; });
    }, intervalMs);
    this.#stops.push(async () => clearInterval(timer));
  }
}
