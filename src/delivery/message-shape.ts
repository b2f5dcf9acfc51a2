/** Telegram's limit on a message's text (after entity parsing). */
export const maxMessageLength = 4096;
/** HTML source may be longer than what it renders to; Telegram judges the parsed text, this bounds the source. */
export const maxHtmlSourceLength = 4 * maxMessageLength;

/**
 * Why a text cannot be sent as a message, or null. Checked when a message is accepted so a
 * hopeless one is refused with a reason instead of failing at Telegram later.
 */
export function textProblem(text: string, parseMode: 'HTML' | undefined): string | null {
  if (text.trim().length === 0) return 'the message is empty';
  const max = parseMode === 'HTML' ? maxHtmlSourceLength : maxMessageLength;
  if (text.length > max) return `the message is ${text.length} characters long; at most ${max} fit`;
  return null;
}
