import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BotCommand } from 'grammy/types';
import type { SandboxCore } from './core.js';
import type { IdCounters } from './ids.js';
import type { ChatHistory, GroupRecord, InviteLinkRecord, InvoiceRecord, JoinRequestRecord, Membership, PaymentRecord, PrivateChatRecord, UserRecord } from './records.js';
import type { ChatMessage } from './store.js';
import { UpdateInbox } from './update-inbox.js';

/**
 * The simulated Telegram written to a file and read back, so a demo's bots, people, groups
 * and chats outlive a restart the way Telegram's do: a bot connected yesterday still has its
 * token, its groups and its members today. Id counters are kept too, so a new bot never gets
 * the id (and token) of an earlier one.
 *
 * What is deliberately not kept: updates still queued for a bot (Telegram keeps them 24 h; a
 * demo restarts in seconds, and its sessions resume from what they stored), webhooks (a
 * session sets its webhook again when it starts), waiting pre-checkout and callback queries,
 * the call log, and all but the newest messages of each chat.
 */

/** Messages kept per chat: enough for replies to recent messages, bounded for the file's size. */
const keptMessagesPerChat = 200;

interface HistorySnapshot {
  nextMessageId: number;
  messages: ChatMessage[];
}

interface BotSnapshot {
  id: number;
  token: string;
  username: string;
  firstName: string;
  canJoinGroups: boolean;
  canReadAllGroupMessages: boolean;
  supportsInlineQueries: boolean;
  paidBroadcastEligible: boolean;
  commands: Array<[string, BotCommand[]]>;
  knownUserIds: number[];
}

interface GroupSnapshot extends Omit<GroupRecord, 'members' | 'history' | 'lastPostAt' | 'inviteLinks' | 'joinRequests'> {
  members: Array<[number, Membership]>;
  history: HistorySnapshot;
  lastPostAt: Array<[number, number]>;
  inviteLinks: Array<[string, InviteLinkRecord]>;
  joinRequests: Array<[number, JoinRequestRecord]>;
}

export interface SandboxSnapshot {
  version: 1;
  ids: IdCounters;
  bots: BotSnapshot[];
  revokedTokens: Array<[string, number]>;
  users: UserRecord[];
  groups: GroupSnapshot[];
  privateChats: Array<Omit<PrivateChatRecord, 'history'> & { history: HistorySnapshot }>;
  invoiceLinks: Array<[string, InvoiceRecord]>;
  invoiceMessages: Array<[string, InvoiceRecord]>;
  payments: PaymentRecord[];
}

function historySnapshot(history: ChatHistory): HistorySnapshot {
  return { nextMessageId: history.nextMessageId, messages: [...history.messages.values()].slice(-keptMessagesPerChat) };
}

function restoreHistory(snapshot: HistorySnapshot): ChatHistory {
  return { nextMessageId: snapshot.nextMessageId, messages: new Map(snapshot.messages.map((m) => [m.message_id, m])) };
}

export function snapshotSandbox(core: SandboxCore): SandboxSnapshot {
  const { store } = core;
  return {
    version: 1,
    ids: core.ids.counters(),
    bots: [...store.bots.values()].map((bot) => ({
      id: bot.id, token: bot.token, username: bot.username, firstName: bot.firstName, canJoinGroups: bot.canJoinGroups,
      canReadAllGroupMessages: bot.canReadAllGroupMessages, supportsInlineQueries: bot.supportsInlineQueries,
      paidBroadcastEligible: bot.paidBroadcastEligible, commands: [...bot.commands], knownUserIds: [...bot.knownUserIds],
    })),
    revokedTokens: [...store.revokedTokens],
    users: [...store.users.values()],
    groups: [...store.groups.values()].map((group) => ({
      ...group, members: [...group.members], history: historySnapshot(group.history), lastPostAt: [...group.lastPostAt],
      inviteLinks: [...group.inviteLinks], joinRequests: [...group.joinRequests],
    })),
    privateChats: store.privateChatRecords().map((chat) => ({ ...chat, history: historySnapshot(chat.history) })),
    invoiceLinks: [...store.invoiceLinks],
    invoiceMessages: [...store.invoiceMessages],
    payments: [...store.payments.values()],
  };
}

/** Replaces the sandbox's world with a snapshot's. */
export function restoreSandbox(core: SandboxCore, snapshot: SandboxSnapshot): void {
  if (snapshot.version !== 1) throw new Error(`sandbox state version ${String(snapshot.version)} is not known to this Kovan`);
  const { store } = core;
  store.clear();
  core.ids.restore(snapshot.ids);
  for (const bot of snapshot.bots) {
    const record = {
      ...bot, inbox: new UpdateInbox(), webhook: undefined, lastWebhookSetAt: 0, lastPoll: undefined,
      commands: new Map(bot.commands), knownUserIds: new Set(bot.knownUserIds),
    };
    store.bots.set(record.id, record);
    store.botsByToken.set(record.token, record);
  }
  for (const [token, botId] of snapshot.revokedTokens) store.revokedTokens.set(token, botId);
  for (const user of snapshot.users) store.users.set(user.id, user);
  for (const group of snapshot.groups) {
    store.groups.set(group.id, {
      ...group, members: new Map(group.members), history: restoreHistory(group.history), lastPostAt: new Map(group.lastPostAt),
      inviteLinks: new Map(group.inviteLinks), joinRequests: new Map(group.joinRequests),
    });
  }
  for (const chat of snapshot.privateChats) store.restorePrivateChat({ ...chat, history: restoreHistory(chat.history) });
  for (const [link, invoice] of snapshot.invoiceLinks) store.invoiceLinks.set(link, invoice);
  for (const [key, invoice] of snapshot.invoiceMessages) store.invoiceMessages.set(key, invoice);
  for (const payment of snapshot.payments) store.payments.set(payment.chargeId, payment);
}

/**
 * Keeps the sandbox's world in `file`: read once now (when it exists), written every
 * `everyMs` when it changed (to a temporary file, then renamed, so a crash leaves the old
 * state whole) and once more by `flush` at shutdown. Returns whether a state was restored.
 */
export function persistSandbox(core: SandboxCore, file: string, everyMs: number): { restored: boolean; flush(): Promise<void>; stop(): void } {
  const restored = existsSync(file);
  if (restored) restoreSandbox(core, JSON.parse(readFileSync(file, 'utf8')) as SandboxSnapshot);
  let written = '';
  let writing = Promise.resolve();
  const flush = () => {
    // A failed write is retried at the next tick (and reported by the flush at shutdown).
    writing = writing.catch(() => {}).then(async () => {
      const text = JSON.stringify(snapshotSandbox(core));
      if (text === written) return;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
      written = text;
    });
    return writing;
  };
  const timer = setInterval(() => void flush().catch(() => {}), everyMs);
  timer.unref();
  return { restored, flush, stop: () => clearInterval(timer) };
}
