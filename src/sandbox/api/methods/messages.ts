import type { MessageOrigin } from 'grammy/types';
import { unixTime } from '../../durations.js';
import { badRequest } from '../../errors.js';
import type { ChatMessage } from '../../store.js';
import { formatMessageText } from '../../text/format.js';
import { hasRight } from '../../views.js';
import type { BotChat } from '../chat-access.js';
import { historyOf, resolveChat } from '../chat-access.js';
import type { MethodCall, MethodHandler } from '../method.js';
import type { MessageContent } from '../posting.js';
import { postAsBot, readEntities, readReplyMarkup, readReplyTarget } from '../posting.js';

/** The text of a message as a bot specified it (text/parse_mode/entities), Telegram-formatted. */
function readText(call: MethodCall): Pick<MessageContent, 'text' | 'entities'> {
  const entities = readEntities(call.params);
  const formatted = formatMessageText(
    {
      text: call.params.string('text') ?? '',
      ...(call.params.string('parse_mode') === undefined ? {} : { parseMode: call.params.string('parse_mode') }),
      ...(entities === undefined ? {} : { entities }),
    },
    call.core.resolveUser,
  );
  return formatted.entities.length === 0 ? { text: formatted.text } : { text: formatted.text, entities: formatted.entities };
}

/** Link preview options are accepted and checked, not rendered. */
function checkLinkPreviewOptions(call: MethodCall): void {
  call.params.json('link_preview_options', 'link preview options');
}

/** A message in a chat the bot can read, or Telegram's "message to … not found". */
function findMessage(target: BotChat, messageId: number, purpose: string): ChatMessage {
  const message = historyOf(target).messages.get(messageId);
  if (!message) throw badRequest(`message to ${purpose} not found`);
  return message;
}

/** Text and entities of a message that can be copied; service messages can't. */
function copyableContent(message: ChatMessage): Pick<MessageContent, 'text' | 'entities'> {
  if (message.text === undefined) throw badRequest("message can't be copied");
  return message.entities === undefined ? { text: message.text } : { text: message.text, entities: message.entities };
}

export const sendMessage: MethodHandler = (call) => {
  const text = readText(call);
  checkLinkPreviewOptions(call);
  const markup = readReplyMarkup(call.params);
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'write');
  return postAsBot(call, target, { ...text, ...readReplyTarget(call.params, target), ...markup });
};

export const editMessageText: MethodHandler = (call) => {
  if (call.params.string('inline_message_id') !== undefined) throw badRequest('MESSAGE_ID_INVALID');
  const text = readText(call);
  checkLinkPreviewOptions(call);
  const markup = readReplyMarkup(call.params);
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'write');
  const message = findMessage(target, call.params.messageId(), 'edit');
  if (message.from?.id !== call.bot.id || message.text === undefined) throw badRequest("message can't be edited");
  const unchanged =
    message.text === text.text &&
    JSON.stringify(message.entities ?? []) === JSON.stringify(text.entities ?? []) &&
    JSON.stringify(message.reply_markup) === JSON.stringify(markup.reply_markup);
  if (unchanged) {
    throw badRequest(
      'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
    );
  }
  // Telegram drops an inline keyboard that the edit does not repeat (undefined vanishes in JSON).
  const edited = { ...message, entities: undefined, reply_markup: undefined, ...text, ...markup, edit_date: unixTime() };
  historyOf(target).messages.set(edited.message_id, edited);
  return edited;
};

export const deleteMessage: MethodHandler = (call) => {
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'read');
  const message = findMessage(target, call.params.messageId(), 'delete');
  const own = message.from?.id === call.bot.id;
  if (!own && target.kind === 'group' && !hasRight(target.membership, 'can_delete_messages')) {
    throw badRequest("message can't be deleted");
  }
  historyOf(target).messages.delete(message.message_id);
  return true;
};

export const copyMessage: MethodHandler = (call) => {
  const source = resolveChat(call.core, call.bot, call.params.string('from_chat_id'), 'read');
  const original = findMessage(source, call.params.messageId(), 'copy');
  const content = copyableContent(original);
  const markup = readReplyMarkup(call.params);
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'write');
  const copy = postAsBot(call, target, { ...content, ...readReplyTarget(call.params, target), ...markup });
  return { message_id: copy.message_id };
};

export const forwardMessage: MethodHandler = (call) => {
  const source = resolveChat(call.core, call.bot, call.params.string('from_chat_id'), 'read');
  const original = findMessage(source, call.params.messageId(), 'forward');
  const content = copyableContent(original);
  const target = resolveChat(call.core, call.bot, call.params.string('chat_id'), 'write');
  const sender = original.from;
  if (!sender) throw badRequest("message can't be forwarded");
  const origin: MessageOrigin = { type: 'user', sender_user: sender, date: original.date };
  return postAsBot(call, target, { ...content, forward_origin: origin });
};

const chatActions = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

export const sendChatAction: MethodHandler = (call) => {
  const action = call.params.requiredString('action');
  if (!chatActions.has(action)) throw badRequest('wrong parameter action in request');
  resolveChat(call.core, call.bot, call.params.string('chat_id'), 'write');
  return true;
};
