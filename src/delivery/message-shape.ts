import { maxMessageLength, telegramTextLength } from '../templates/index.js';

/** HTML source may be longer than what it renders to; Telegram judges the parsed text, this bounds the source (the outbox column's limit). */
export const maxHtmlSourceLength = 4 * maxMessageLength;

/**
 * Why a text cannot be sent as a message, or null. Checked when a message is accepted so a
 * hopeless one is refused with a reason instead of failing at Telegram later. Telegram
 * counts characters after parsing the markup (code points, trimmed), and so does this.
 */
export function textProblem(text: string, parseMode: 'HTML' | undefined): string | null {
  if (text.length > maxHtmlSourceLength) return `the message is ${text.length} characters long; at most ${maxHtmlSourceLength} fit`;
  const length = parseMode === 'HTML' ? telegramTextLength(text) : [...text.trim()].length;
  if (length === 0) return 'the message is empty';
  if (length > maxMessageLength) return `the message is ${length} characters long; Telegram allows ${maxMessageLength}`;
  return null;
}
