import type { SandboxCore } from '../core.js';
import { accountActions } from './accounts.js';
import { conversationActions } from './conversations.js';
import { diagnosticActions } from './diagnostics.js';
import { groupActions } from './groups.js';
import { paymentActions } from './payments.js';

/**
 * The in-process control API: everything users, chats and BotFather can do in the simulated
 * Telegram, plus the diagnostics tests need.
 */
export function createWorld(core: SandboxCore) {
  return {
    ...accountActions(core),
    ...groupActions(core),
    ...conversationActions(core),
    ...paymentActions(core),
    ...diagnosticActions(core),
  };
}

/** The simulated world's actions (createBot, userSendsMessage, migrateToSupergroup, …). */
export type SandboxWorld = ReturnType<typeof createWorld>;
