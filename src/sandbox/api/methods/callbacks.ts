import { TelegramErrors } from '../../errors.js';
import type { MethodHandler } from '../method.js';

export const answerCallbackQuery: MethodHandler = (call) => {
  const id = call.params.requiredString('callback_query_id');
  const pending = call.core.store.pendingCallbacks.get(id);
  if (!pending || pending.botId !== call.bot.id) throw TelegramErrors.queryTooOld();
  call.core.store.pendingCallbacks.delete(id);
  const text = call.params.string('text');
  const url = call.params.string('url');
  pending.answer({
    showAlert: call.params.bool('show_alert'),
    ...(text === undefined ? {} : { text }),
    ...(url === undefined ? {} : { url }),
  });
  return true;
};
