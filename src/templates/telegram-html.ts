/**
 * Telegram's HTML parse mode accepts a small set of tags; anything else makes sendMessage
 * fail with "can't parse entities". Templates are checked when saved, so a broken one is
 * refused with its line instead of failing every send.
 */
const allowedTags = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'tg-spoiler', 'span', 'blockquote', 'tg-emoji']);

export interface HtmlProblem {
  line: number;
  message: string;
}

/** The first problem in `html` as Telegram would see it, or undefined when it would parse. */
export function telegramHtmlProblem(html: string): HtmlProblem | undefined {
  const open: Array<{ tag: string; line: number }> = [];
  const tagPattern = /<\/?([a-zA-Z][\w-]*)([^>]*)>|<|>/g;
  let match: RegExpExecArray | null;
  while ((match = tagPattern.exec(html))) {
    const line = html.slice(0, match.index).split('\n').length;
    if (match[0] === '<' || match[0] === '>') return { line, message: `a bare "${match[0]}" must be written as ${match[0] === '<' ? '&lt;' : '&gt;'}` };
    const tag = match[1]!.toLowerCase();
    if (!allowedTags.has(tag)) return { line, message: `<${tag}> is not supported by Telegram (use b, i, u, s, a, code, pre, blockquote, tg-spoiler)` };
    if (match[0].startsWith('</')) {
      const last = open.pop();
      if (!last || last.tag !== tag) return { line, message: `</${tag}> closes ${last ? `<${last.tag}> from line ${last.line}` : 'nothing'}` };
    } else {
      open.push({ tag, line });
    }
  }
  const unclosed = open.pop();
  return unclosed ? { line: unclosed.line, message: `<${unclosed.tag}> is never closed` } : undefined;
}

/** Escapes user-provided text for Telegram HTML (the three characters Telegram requires). */
export function escapeTelegramHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Telegram's limit on a message's text, counted after the markup is parsed away. */
export const maxMessageLength = 4096;

const namedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/**
 * The text Telegram keeps from Telegram HTML: tags gone, entities decoded (numeric ones and
 * the four named ones Telegram knows), surrounding whitespace trimmed — what its
 * 4096-character limit is judged on, so a long link's markup does not count against it.
 */
export function telegramVisibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot);/g, (entity, name: string) => {
      if (!name.startsWith('#')) return namedEntities[name]!;
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    })
    .trim();
}

/** Characters as Telegram counts them (code points) of what `html` shows. */
export function telegramTextLength(html: string): number {
  return [...telegramVisibleText(html)].length;
}
