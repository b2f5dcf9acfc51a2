import type { InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity } from 'grammy/types';
import { Second, unixTime } from '../durations.js';
import { badRequest } from '../errors.js';
import type { ChatMessage, MessageDraft } from '../store.js';
import { appendMessage } from '../store.js';
import { botUserView, isAdmin } from '../views.js';
import type { BotChat } from './chat-access.js';
import { chatView, historyOf } from './chat-access.js';
import type { MethodCall } from './method.js';
import type { ParamReader } from './params.js';

/** Message fields a method decides; chat, sender, id and date are filled in by {@link postAsBot}. */
export type MessageContent = Omit<MessageDraft, 'chat' | 'from'>;

/** The longest callback_data Telegram accepts, in bytes. */
const maxCallbackDataBytes = 64;

function isButtonRow(row: unknown): row is InlineKeyboardButton[] {
  return Array.isArray(row) && row.every((button) => typeof button === 'object' && button !== null);
}

function checkInlineButton(button: InlineKeyboardButton): void {
  if (typeof button.text !== 'string') throw badRequest("can't parse inline keyboard button: Field \"text\" must be of type String");
  if ('callback_data' in button && Buffer.byteLength(button.callback_data, 'utf8') > maxCallbackDataBytes) {
    throw badRequest('BUTTON_DATA_INVALID');
  }
  const actions = Object.keys(button).filter((key) => key !== 'text' && key !== 'style' && key !== 'icon_custom_emoji_id');
  if (actions.length === 0) throw badRequest('text buttons are unallowed in the inline keyboard');
}

/**
 * `reply_markup`: any keyboard is accepted; only an inline keyboard becomes part of the message,
 * as on Telegram, and its buttons are checked the way Telegram checks them.
 */
export function readReplyMarkup(params: ParamReader): { reply_markup?: InlineKeyboardMarkup } {
  const markup = params.json('reply_markup', 'reply keyboard markup');
  if (markup === undefined) return {};
  if (typeof markup !== 'object' || markup === null) throw badRequest('object expected as reply markup');
  if (!('inline_keyboard' in markup)) return {};
  const rows = (markup as { inline_keyboard: unknown }).inline_keyboard;
  if (!Array.isArray(rows) || !rows.every(isButtonRow)) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  }
  rows.flat().forEach(checkInlineButton);
  return rows.length === 0 ? {} : { reply_markup: { inline_keyboard: rows } };
}

/** `entities` given instead of a parse_mode. */
export function readEntities(params: ParamReader): MessageEntity[] | undefined {
  const entities = params.json('entities', 'entities');
  if (entities === undefined) return undefined;
  if (!Array.isArray(entities)) throw badRequest("can't parse entities JSON object");
  return entities as MessageEntity[];
}

/**
 * The message being replied to, from `reply_parameters` or the older `reply_to_message_id`:
 * "message to be replied not found" unless allow_sending_without_reply.
 */
export function readReplyTarget(params: ParamReader, target: BotChat): Pick<MessageContent, 'reply_to_message'> {
  const replyParameters = params.json('reply_parameters', 'reply parameters') as
    | { message_id?: number; chat_id?: number | string; allow_sending_without_reply?: boolean }
    | undefined;
  const messageId = replyParameters?.message_id ?? params.messageId('reply_to_message_id');
  const allowWithout = replyParameters?.allow_sending_without_reply ?? params.bool('allow_sending_without_reply');
  if (!messageId) return {};
  const sameChat = replyParameters?.chat_id === undefined || String(replyParameters.chat_id) === String(target.id);
  const replied = sameChat ? historyOf(target).messages.get(messageId) : undefined;
  if (!replied) {
    if (allowWithout) return {};
    throw badRequest('message to be replied not found');
  }
  // Telegram never nests replies more than one level deep (undefined vanishes in JSON).
  return { reply_to_message: { ...replied, reply_to_message: undefined } };
}

/** Slow mode: a non-admin bot may post once per `slow_mode_delay` (scaled) seconds. */
function enforceSlowMode(call: MethodCall, target: BotChat, now: number): void {
  if (target.kind !== 'group' || target.group.slowModeDelay === 0 || isAdmin(target.membership)) return;
  const last = target.group.lastPostAt.get(call.bot.id);
  if (last === undefined) return;
  const wait = last + call.core.config.scaled(target.group.slowModeDelay * Second) - now;
  if (wait > 0) throw call.core.tooManyRequests(wait);
}

/**
 * Puts a bot's message into a chat after slow mode and flood control have let it through, and
 * records it with the call. Bots never see each other's messages, so no update goes out.
 */
export function postAsBot(call: MethodCall, target: BotChat, content: MessageContent): ChatMessage {
  const now = Date.now();
  enforceSlowMode(call, target, now);
  const paidBroadcast = call.params.bool('allow_paid_broadcast') && call.bot.paidBroadcastEligible;
  call.core.admitMessage(call.bot.id, target.id, target.kind === 'group', paidBroadcast);
  if (target.kind === 'group') target.group.lastPostAt.set(call.bot.id, now);
  const draft = { ...content, chat: chatView(target), from: botUserView(call.bot) } as MessageDraft;
  const message = appendMessage(historyOf(target), draft, unixTime(now));
  call.posted.push(message);
  return message;
}
