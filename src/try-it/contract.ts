/** The shape of the Try-it panel's answer: a contract module (docs/ARCHITECTURE.md, Layout). */
import { z } from 'zod';

/** One message the bot answered with. */
export const tryItReplySchema = z.object({ text: z.string(), parseMode: z.literal('HTML').nullable() });
export type TryItReply = z.output<typeof tryItReplySchema>;

/** What the bot answered, in the chat the message went to. */
export const tryItAnswerSchema = z.object({
  chatId: z.number().int(),
  replies: z.array(tryItReplySchema),
  /** `no_rule`: no reply rule (or start greeting) answers this message, so none was awaited. */
  answered: z.enum(['expected', 'no_rule']),
}).meta({ id: 'TryItAnswer' });
export type TryItAnswer = z.output<typeof tryItAnswerSchema>;
