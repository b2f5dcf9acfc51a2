import { findGroupByChat } from '../groups/index.js';
import type { TenantTx } from '../platform/db/index.js';
import { listReplyRules, matchTrigger } from '../rules/index.js';
import { getConfig, hasFeature } from '../tenancy/index.js';

/**
 * Whether the bot will answer this Try-it message at all, decided as the pipeline decides:
 * `/start` in the private chat is greeted when a start template is set; anything else is
 * answered by the first enabled reply rule whose scope and trigger match (on a plan with
 * auto-replies). When nothing would answer, Try it says so at once instead of waiting.
 */
export async function botWillAnswer(tx: TenantTx, bot: { id: string; username: string }, text: string, chat: { kind: 'group' | 'private'; chatId: number }): Promise<boolean> {
  if (chat.kind === 'private' && /^\/start(\s|@|$)/.test(text)) return Boolean(await getConfig(tx, 'start_template_id'));
  const group = chat.kind === 'group' ? await findGroupByChat(tx, bot.id, chat.chatId) : undefined;
  const rules = await listReplyRules(tx, { enabledOnly: true });
  const matching = rules.some((rule) => (chat.kind === 'group' ? rule.scope !== 'private' : rule.scope !== 'groups')
    && (chat.kind === 'private' || rule.groupIds.length === 0 || (group !== undefined && rule.groupIds.includes(group.id)))
    && matchTrigger(rule, text, bot.username) !== 'no_match');
  return matching && (await hasFeature(tx, 'auto_reply'));
}
