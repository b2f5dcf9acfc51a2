import { answerCallbackQuery } from './methods/callbacks.js';
import {
  banChatMember,
  getChat,
  getChatAdministrators,
  getChatMember,
  getChatMemberCount,
  leaveChat,
  restrictChatMember,
  unbanChatMember,
} from './methods/chats.js';
import { deleteMyCommands, getMe, getMyCommands, setMyCommands } from './methods/identity.js';
import { approveChatJoinRequest, createChatInviteLink, declineChatJoinRequest, revokeChatInviteLink } from './methods/invites.js';
import { copyMessage, deleteMessage, editMessageText, forwardMessage, sendChatAction, sendMessage } from './methods/messages.js';
import {
  answerPreCheckoutQuery,
  createInvoiceLink,
  editUserStarSubscription,
  refundStarPayment,
  sendInvoice,
} from './methods/payments.js';
import { deleteWebhook, getUpdates, getWebhookInfo, setWebhook } from './methods/updates.js';
import type { MethodHandler } from './method.js';

/** The Bot API methods the sandbox implements, under their canonical names (plus Telegram's old aliases). */
const methods: Record<string, MethodHandler> = {
  getMe,
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
  sendMessage,
  editMessageText,
  deleteMessage,
  copyMessage,
  forwardMessage,
  sendChatAction,
  getChat,
  getChatMember,
  getChatAdministrators,
  getChatMemberCount,
  getChatMembersCount: getChatMemberCount,
  leaveChat,
  banChatMember,
  kickChatMember: banChatMember,
  unbanChatMember,
  restrictChatMember,
  createChatInviteLink,
  revokeChatInviteLink,
  approveChatJoinRequest,
  declineChatJoinRequest,
  answerCallbackQuery,
  sendInvoice,
  createInvoiceLink,
  answerPreCheckoutQuery,
  refundStarPayment,
  editUserStarSubscription,
};

const byLowerCaseName = new Map(Object.entries(methods).map(([name, handler]) => [name.toLowerCase(), { name, handler }]));

/** Looks a method up the way Telegram does: case-insensitively. */
export function findMethod(name: string): { name: string; handler: MethodHandler } | undefined {
  return byLowerCaseName.get(name.toLowerCase());
}
