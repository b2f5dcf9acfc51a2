import type { Message } from 'grammy/types';
import { recordTryItGroup } from '../groups/index.js';
import type { Cache } from '../platform/cache/index.js';
import type { Database } from '../platform/db/index.js';
import { Day, Second, sleep } from '../platform/time.js';
import { botWillAnswer } from './expected-answer.js';
import { SandboxCallError, type SandboxControl } from './sandbox-control.js';
import type { TryItAnswer } from './contract.js';

/** The sandbox people and chat a tenant's Try-it panel talks through. */
interface TryItCast {
  userId: number;
  groupChatId: number;
}

/** How long to wait for the bot's answer; replies go through the real outbox and session. */
const answerWait = 8 * Second;
/** After a first answer, how long to wait for more (a welcome and a reply, say). */
const settle = 400;

/**
 * "Try it": the tenant types as a person in the Telegram sandbox — in a private chat with
 * its bot or in a Try-it group where the bot is an admin — and sees what the bot answers.
 * Nothing is faked: the message reaches the bot as an update, runs through the pipeline and
 * the outbox, and the answer is read back from the sandbox chat.
 */
export async function tryMessage(deps: TryItDeps, tenantId: string, bot: TryItBot, text: string, chat: 'group' | 'private'): Promise<TryItAnswer> {
  const telegramBotId = bot.telegramBotId;
  const cast = await castFor(deps, tenantId, bot);
  const chatId = chat === 'group' ? cast.groupChatId : cast.userId;
  const expected = await deps.db.withTenant(tenantId, (tx) => botWillAnswer(tx, bot, text, { kind: chat, chatId }));
  const botQuery = chat === 'private' ? `?botId=${telegramBotId}` : '';
  const sent = await deps.control.post<Message>('/messages', { userId: cast.userId, chatId, text, ...(chat === 'private' ? { botId: telegramBotId } : {}) });
  // Still sent, so the bot sees it as it would; nothing will come back, so nothing to wait for.
  if (!expected) return { chatId, replies: [], answered: 'no_rule' };

  const deadline = Date.now() + answerWait;
  let firstAnswerAt: number | undefined;
  let replies: Message[] = [];
  while (Date.now() < deadline && (firstAnswerAt === undefined || Date.now() - firstAnswerAt < settle)) {
    await sleep(150);
    const messages = await deps.control.get<Message[]>(`/chats/${chatId}/messages${botQuery}`);
    replies = messages.filter((m) => m.from?.id === telegramBotId && m.message_id > sent.message_id);
    if (replies.length > 0) firstAnswerAt ??= Date.now();
  }
  return { chatId, replies: replies.map((m) => ({ text: m.text ?? '', parseMode: m.entities?.length ? 'HTML' : null })), answered: 'expected' };
}

export interface TryItDeps {
  control: SandboxControl;
  cache: Cache;
  db: Database;
}

/** The tenant's bot: Kovan's id for it and Telegram's. */
export interface TryItBot {
  id: string;
  telegramBotId: number;
  username: string;
}

/**
 * Creates (once, remembered in the cache) the tenant's Try-it person and group, with /start
 * done. The group is recorded as the Try-it group before the bot joins it, so it never
 * counts or shows as one of the tenant's groups.
 */
async function castFor(deps: TryItDeps, tenantId: string, { id: botId, telegramBotId }: TryItBot): Promise<TryItCast> {
  const key = `tryit:${tenantId}:${telegramBotId}`;
  const known = await deps.cache.get(key);
  if (known) {
    const cast = JSON.parse(known) as TryItCast;
    // The sandbox may have restarted since: check the group still exists.
    try {
      await deps.control.get(`/chats/${cast.groupChatId}/messages`);
      return cast;
    } catch (error) {
      if (!(error instanceof SandboxCallError)) throw error;
    }
  }
  const user = await deps.control.post<{ id: number }>('/users', { firstName: 'You', lastName: '(Try it)', languageCode: 'en' });
  const group = await deps.control.post<{ id: number }>('/groups', { title: 'Try it', type: 'supergroup', memberIds: [user.id] });
  await deps.db.withTenant(tenantId, (tx) => recordTryItGroup(tx, botId, { chatId: group.id, type: 'supergroup', title: 'Try it' }));
  await deps.control.post(`/groups/${group.id}/bots`, { botId: telegramBotId, admin: true, canInviteUsers: true, canDeleteMessages: true, addedBy: user.id });
  await deps.control.post('/starts', { userId: user.id, botId: telegramBotId });
  const cast = { userId: user.id, groupChatId: group.id };
  await deps.cache.set(key, JSON.stringify(cast), 30 * Day);
  return cast;
}
