import type { Message } from 'grammy/types';
import type { CallFilter } from '../call-log.js';
import type { SandboxCore } from '../core.js';
import type { FaultSpec } from '../faults.js';
import { faultSpecInput } from '../faults.js';
import { parseInput } from './input.js';

/** What tests use to look at and disturb the sandbox: the call log, injected faults, reset. */
export function diagnosticActions(core: SandboxCore) {
  return {
    /**
     * Makes the bot's next matching call(s) fail: with an error envelope of your choosing, a 502
     * page, or a dropped connection (optionally after the method took effect).
     */
    failNext(botId: number, spec: FaultSpec): void {
      core.store.requireBot(botId);
      core.faults.add(botId, parseInput(faultSpecInput, spec));
    },

    /** Messages bots sent successfully, as returned to them, oldest first. */
    sentMessages(filter: Omit<CallFilter, 'method'> = {}): Message[] {
      return core.calls.sentMessages(filter);
    },

    /** Empties the call log. */
    clearCalls(): void {
      core.calls.clear();
    },

    /** Empties the world (bots, users, chats, calls, faults, counters); the server keeps running. */
    reset(): void {
      core.reset();
    },
  };
}
