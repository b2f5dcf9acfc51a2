/**
 * Helpers for the REST API tests (test/api): plans, teammates, bots and groups in a
 * tenant, made through the real API and the Telegram sandbox wherever one exists.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { recordBotMembership } from '../../src/groups/index.js';
import type { PlanCode } from '../../src/tenancy/index.js';
import type { TestApi } from './api.js';

export interface Session {
  token: string;
  tenantId: string;
  memberId: string;
}

let counter = 0;
/** A name unique to this process and call, within `max` characters. */
export function uniqueName(prefix: string, max = 32): string {
  return `${prefix}${process.pid.toString(36)}${Date.now().toString(36).slice(-4)}${(counter++).toString(36)}`.slice(0, max).toLowerCase();
}

/**
 * A client address of its own: per-IP limits (20 registrations a minute) are shared through
 * Redis by every test file of a run, which all come from 127.0.0.1.
 */
export function randomClient(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** Registers a fresh tenant through the public API (as registerTenant does) from a client address of its own. */
export async function newTenant(api: TestApi, prefix = 't'): Promise<Session & { username: string; email: string; password: string }> {
  const username = uniqueName(prefix);
  const email = `${username}@example.test`;
  const password = 'correct horse battery staple';
  const r = await api.request('POST', '/api/auth/register', { body: { username, email, password }, headers: { 'x-forwarded-for': randomClient() } });
  if (r.status !== 201) throw new Error(`register failed: ${r.status} ${r.text}`);
  return { token: r.body.token, tenantId: r.body.tenantId, memberId: r.body.member.id, username, email, password };
}

/** Puts the tenant on a plan (what a payment would do), effective at once. */
export async function setPlan(api: TestApi, tenantId: string, plan: PlanCode): Promise<void> {
  await api.services.db.withTenant(tenantId, (tx) => tx.query(`UPDATE subscriptions SET plan_code = $1 WHERE status <> 'cancelled'`, [plan]));
}

/** The token of the newest invitation e-mailed to `email` (read from the file mailer's .eml). */
export async function invitationTokenFor(api: TestApi, email: string): Promise<string> {
  const safeTo = email.replace(/[^a-zA-Z0-9@._-]/g, '_');
  for (let attempt = 0; attempt < 50; attempt++) {
    const files = (await readdir(api.mailDir).catch(() => [] as string[])).filter((f) => f.endsWith(`-${safeTo}.eml`)).sort();
    const newest = files[files.length - 1];
    if (newest) {
      const raw = await readFile(path.join(api.mailDir, newest), 'utf8');
      const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const match = /accept-invitation\?token=([A-Za-z0-9_%-]+)/.exec(text);
      if (match) return decodeURIComponent(match[1]!);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no invitation e-mail for ${email}`);
}

/** Invites a teammate with `role` through the API and accepts as them; returns their session. */
export async function addTeammate(api: TestApi, owner: Session, role: 'owner' | 'admin' | 'viewer'): Promise<Session & { username: string; email: string; invitationId: string }> {
  const username = uniqueName(`m${role[0]}`);
  const email = `${username}@example.test`;
  const invited = await api.request('POST', '/api/members/invitations', { token: owner.token, body: { email, role } });
  if (invited.status !== 201) throw new Error(`invite failed: ${invited.status} ${invited.text}`);
  const token = await invitationTokenFor(api, email);
  const accepted = await api.request('POST', '/api/members/invitations/accept', {
    body: { token, username, password: 'correct horse battery staple' }, headers: { 'x-forwarded-for': randomClient() },
  });
  if (accepted.status !== 201) throw new Error(`accept failed: ${accepted.status} ${accepted.text}`);
  return { token: accepted.body.token, tenantId: accepted.body.tenantId, memberId: accepted.body.member.id, username, email, invitationId: invited.body.invitation.id };
}

let botCounter = 0;

export interface ConnectedBot {
  id: string;
  telegramBotId: number;
  token: string;
  username: string;
}

/** Creates a bot in the sandbox (as @BotFather would) and connects it through the API. */
export async function connectSandboxBot(api: TestApi, owner: Session, options: { privacyOff?: boolean } = {}): Promise<ConnectedBot> {
  // Test files of a run share one PostgreSQL database but each has its own sandbox: bot ids
  // must not collide across processes (a Telegram bot can serve only one tenant).
  const botId = 8_000_000_000 + (process.pid % 1_000_000) * 1000 + (botCounter++ % 1000);
  const created = api.sandbox.createBot({
    username: `${uniqueName('k', 28)}_bot`, canReadAllGroupMessages: options.privacyOff ?? false, token: `${botId}:AA${randomBytes(25).toString('base64url')}`,
  });
  const r = await api.request('POST', '/api/bots', { token: owner.token, body: { token: created.token } });
  if (r.status !== 201) throw new Error(`connect failed: ${r.status} ${r.text}`);
  return { id: r.body.bot.id, telegramBotId: created.id, token: created.token, username: created.username };
}

/**
 * A group in the sandbox with the bot in it (admin or not), recorded in the tenant the way
 * the bot's `my_chat_member` update records it (the fleet is not running in API tests).
 */
export async function addSandboxGroup(api: TestApi, tenantId: string, bot: ConnectedBot, options: { admin?: boolean; canInviteUsers?: boolean; canDeleteMessages?: boolean; title?: string } = {}): Promise<{ id: string; chatId: number }> {
  const owner = api.sandbox.createUser({ firstName: 'Owner' });
  const chat = api.sandbox.createGroup({ title: options.title ?? uniqueName('Group '), type: 'supergroup', memberIds: [owner.id] });
  api.sandbox.addBotToGroup(bot.telegramBotId, chat.id, { admin: options.admin ?? false, canInviteUsers: options.canInviteUsers, canDeleteMessages: options.canDeleteMessages });
  const admin = options.admin ?? false;
  const group = await api.services.db.withTenant(tenantId, (tx) => recordBotMembership(tx, bot.id, { chatId: chat.id, type: 'supergroup', title: chat.title }, admin ? 'administrator' : 'member',
    { canInvite: admin && (options.canInviteUsers ?? true), canDelete: admin && (options.canDeleteMessages ?? true) }));
  return { id: group.id, chatId: chat.id };
}

/** A parsed Server-Sent Event. */
export interface StreamedEvent {
  event: string;
  /** The `id:` field, when the event had one. */
  id?: string;
  data: any;
}

export interface EventStream {
  events: StreamedEvent[];
  status: number;
  headers: Headers;
  /** Resolves with the first event (already received or still to come) that matches. */
  waitFor(match: (e: StreamedEvent) => boolean, timeoutMs?: number): Promise<StreamedEvent>;
  close(): void;
}

/** Opens `/api/events` (or `path`) as a client would and collects its events. */
export async function openEventStream(baseUrl: string, token: string, path = '/api/events', headers: Record<string, string> = {}): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(baseUrl + path, { headers: { ...headers, authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal });
  const events: StreamedEvent[] = [];
  const waiters: Array<{ match: (e: StreamedEvent) => boolean; resolve: (e: StreamedEvent) => void }> = [];
  const stream: EventStream = {
    events, status: response.status, headers: response.headers,
    waitFor(match, timeoutMs = 5000) {
      const found = events.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`)), timeoutMs);
        waiters.push({ match, resolve: (e) => { clearTimeout(timer); resolve(e); } });
      });
    },
    close() { controller.abort(); },
  };
  if (response.status !== 200 || !response.body) return stream;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
          if (fields.data === undefined) continue;
          const event = { event: fields.event ?? 'message', ...(fields.id ? { id: fields.id } : {}), data: JSON.parse(fields.data) };
          events.push(event);
          for (const waiter of [...waiters]) {
            if (waiter.match(event)) { waiters.splice(waiters.indexOf(waiter), 1); waiter.resolve(event); }
          }
        }
      }
    } catch { /* aborted */ }
  })();
  await stream.waitFor((e) => e.event === 'ready');
  return stream;
}
