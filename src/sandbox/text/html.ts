import type { MessageEntity } from 'grammy/types';
import type { FormattedText, UserResolver } from './entities.js';
import { sortEntities } from './entities.js';
import { checkedLink, linkUserId } from './links.js';
import { byteAt, ByteWriter, isSpaceByte, utf16Width } from './utf8.js';

/** A parse_mode error; the caller prefixes Telegram's "can't parse entities: ". */
export class EntityParseError extends Error {}

const supportedTags = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins',
  'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code', 'blockquote',
]);

const LESS = 0x3c;
const GREATER = 0x3e;
const SLASH = 0x2f;
const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const SEMICOLON = 0x3b;

function isAlpha(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function isHexDigit(byte: number): boolean {
  return isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66);
}

const namedEntities: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };

/**
 * Decodes `&lt;`, `&#60;`, `&#x3c;` … at `position` (pointing at "&"). Unknown entities are not an
 * error in Telegram: the "&" is kept as text, so this returns undefined for them.
 */
function decodeEntity(bytes: Uint8Array, position: number): { codePoint: number; next: number } | undefined {
  let end = position + 1;
  let codePoint: number;
  if (byteAt(bytes, end) === 0x23) {
    end += 1;
    const hex = (byteAt(bytes, end) | 0x20) === 0x78;
    if (hex) end += 1;
    const digitsStart = end;
    const digit = hex ? isHexDigit : isDigit;
    while (digit(byteAt(bytes, end))) end += 1;
    if (end === digitsStart || end - digitsStart >= 10) return undefined;
    codePoint = Number.parseInt(Buffer.from(bytes.subarray(digitsStart, end)).toString('latin1'), hex ? 16 : 10);
    if (codePoint === 0 || codePoint >= 0x10ffff) return undefined;
  } else {
    while (isAlpha(byteAt(bytes, end))) end += 1;
    const named = namedEntities[Buffer.from(bytes.subarray(position + 1, end)).toString('latin1')];
    if (named === undefined) return undefined;
    codePoint = named;
  }
  return { codePoint, next: byteAt(bytes, end) === SEMICOLON ? end + 1 : end };
}

interface OpenTag {
  name: string;
  argument: string;
  expandable: boolean;
  utf16Offset: number;
  outputStart: number;
}

function entityFor(tag: OpenTag, offset: number, length: number, text: ByteWriter, resolveUser: UserResolver): MessageEntity | undefined {
  switch (tag.name) {
    case 'b':
    case 'strong':
      return { type: 'bold', offset, length };
    case 'i':
    case 'em':
      return { type: 'italic', offset, length };
    case 's':
    case 'strike':
    case 'del':
      return { type: 'strikethrough', offset, length };
    case 'u':
    case 'ins':
      return { type: 'underline', offset, length };
    case 'tg-spoiler':
    case 'span':
      return { type: 'spoiler', offset, length };
    case 'tg-emoji':
      if (!/^[1-9]\d*$/.test(tag.argument)) throw new EntityParseError('Invalid custom emoji identifier specified');
      return { type: 'custom_emoji', offset, length, custom_emoji_id: tag.argument };
    case 'blockquote':
      return { type: tag.expandable ? 'expandable_blockquote' : 'blockquote', offset, length };
    case 'code':
      return { type: 'code', offset, length };
    case 'pre':
      return { type: 'pre', offset, length };
    case 'a': {
      const url = tag.argument === '' ? text.slice(tag.outputStart) : tag.argument;
      const userId = linkUserId(url);
      if (userId !== undefined) {
        const user = resolveUser(userId);
        return user ? { type: 'text_mention', offset, length, user } : undefined;
      }
      const checked = checkedLink(url);
      return checked === undefined ? undefined : { type: 'text_link', offset, length, url: checked };
    }
    default:
      return undefined;
  }
}

/**
 * Parses parse_mode "HTML" text the way Telegram does, byte by byte, so that malformed markup fails
 * with Telegram's own messages ("Unsupported start tag \"foo\" at byte offset 0", "Can't find end
 * tag corresponding to start tag b", …). `<pre><code class="language-x">` becomes a pre entity with
 * a language, like on Telegram.
 */
export function parseHtml(input: string, resolveUser: UserResolver): FormattedText {
  const bytes = Buffer.from(input, 'utf8');
  const text = new ByteWriter();
  const entities: MessageEntity[] = [];
  const open: OpenTag[] = [];
  const codeLanguages = new Map<MessageEntity, string>();
  let utf16Offset = 0;

  for (let i = 0; i < bytes.length; i++) {
    const byte = byteAt(bytes, i);
    if (byte === AMPERSAND) {
      const decoded = decodeEntity(bytes, i);
      if (decoded) {
        utf16Offset += decoded.codePoint > 0xffff ? 2 : 1;
        text.pushCodePoint(decoded.codePoint);
        i = decoded.next - 1;
        continue;
      }
    }
    if (byte !== LESS) {
      utf16Offset += utf16Width(byte);
      text.push(byte);
      continue;
    }

    const begin = i++;
    if (byteAt(bytes, i) !== SLASH) {
      while (byteAt(bytes, i) !== 0 && !isSpaceByte(byteAt(bytes, i)) && byteAt(bytes, i) !== GREATER) i++;
      if (byteAt(bytes, i) === 0) throw new EntityParseError(`Unclosed start tag at byte offset ${begin}`);
      const name = Buffer.from(bytes.subarray(begin + 1, i)).toString('utf8').toLowerCase();
      if (!supportedTags.has(name)) {
        throw new EntityParseError(`Unsupported start tag "${name}" at byte offset ${begin}`);
      }
      let argument = '';
      let expandable = false;
      while (byteAt(bytes, i) !== GREATER) {
        while (byteAt(bytes, i) !== 0 && isSpaceByte(byteAt(bytes, i))) i++;
        if (byteAt(bytes, i) === GREATER) break;
        const attributeStart = i;
        while (byteAt(bytes, i) !== 0 && !isSpaceByte(byteAt(bytes, i)) && byteAt(bytes, i) !== EQUALS && byteAt(bytes, i) !== GREATER) i++;
        const attribute = Buffer.from(bytes.subarray(attributeStart, i)).toString('utf8');
        if (attribute === '') throw new EntityParseError(`Empty attribute name in the tag "${name}" at byte offset ${begin}`);
        while (byteAt(bytes, i) !== 0 && isSpaceByte(byteAt(bytes, i))) i++;
        if (byteAt(bytes, i) !== EQUALS) {
          if (name === 'blockquote' && attribute === 'expandable') {
            expandable = true;
            continue;
          }
          throw new EntityParseError(
            `Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${begin}`,
          );
        }
        i++;
        while (byteAt(bytes, i) !== 0 && isSpaceByte(byteAt(bytes, i))) i++;
        if (byteAt(bytes, i) === 0) throw new EntityParseError(`Unclosed start tag "${name}" at byte offset ${begin}`);
        let value: string;
        const quote = byteAt(bytes, i);
        if (quote !== 0x22 && quote !== 0x27) {
          const tokenStart = i;
          while (isAlpha(byteAt(bytes, i)) || isDigit(byteAt(bytes, i)) || byteAt(bytes, i) === 0x2e || byteAt(bytes, i) === 0x2d) i++;
          value = Buffer.from(bytes.subarray(tokenStart, i)).toString('utf8').toLowerCase();
          if (!isSpaceByte(byteAt(bytes, i)) && byteAt(bytes, i) !== GREATER) {
            throw new EntityParseError(`Unexpected end of name token at byte offset ${tokenStart}`);
          }
        } else {
          i++;
          const decodedValue = new ByteWriter();
          while (byteAt(bytes, i) !== quote && byteAt(bytes, i) !== 0) {
            const decoded = byteAt(bytes, i) === AMPERSAND ? decodeEntity(bytes, i) : undefined;
            if (decoded) {
              decodedValue.pushCodePoint(decoded.codePoint);
              i = decoded.next;
            } else {
              decodedValue.push(byteAt(bytes, i++));
            }
          }
          if (byteAt(bytes, i) === quote) i++;
          value = decodedValue.toString();
        }
        if (byteAt(bytes, i) === 0) throw new EntityParseError(`Unclosed start tag at byte offset ${begin}`);
        if (name === 'a' && attribute === 'href') argument = value;
        else if (name === 'code' && attribute === 'class' && value.startsWith('language-')) argument = value.slice(9);
        else if (name === 'span' && attribute === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (name === 'tg-emoji' && attribute === 'emoji-id') argument = value;
      }
      if (name === 'span' && argument !== 'spoiler') {
        throw new EntityParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${begin}`);
      }
      open.push({ name, argument, expandable, utf16Offset, outputStart: text.length });
      continue;
    }

    const tag = open.at(-1);
    if (!tag) throw new EntityParseError(`Unexpected end tag at byte offset ${begin}`);
    while (byteAt(bytes, i) !== 0 && !isSpaceByte(byteAt(bytes, i)) && byteAt(bytes, i) !== GREATER) i++;
    const endName = Buffer.from(bytes.subarray(begin + 2, i)).toString('utf8').toLowerCase();
    while (byteAt(bytes, i) !== 0 && isSpaceByte(byteAt(bytes, i))) i++;
    if (byteAt(bytes, i) !== GREATER) throw new EntityParseError(`Unclosed end tag at byte offset ${begin}`);
    if (endName !== '' && endName !== tag.name) {
      throw new EntityParseError(
        `Unmatched end tag at byte offset ${begin}, expected "</${tag.name}>", found "</${endName}>"`,
      );
    }
    open.pop();
    const length = utf16Offset - tag.utf16Offset;
    if (length === 0) continue;
    const entity = entityFor(tag, tag.utf16Offset, length, text, resolveUser);
    if (!entity) continue;
    const previous = entities.at(-1);
    const samePlace = previous && previous.offset === entity.offset && previous.length === entity.length;
    if (entity.type === 'pre' && samePlace && previous.type === 'code' && codeLanguages.has(previous)) {
      entities[entities.length - 1] = { type: 'pre', offset: entity.offset, length, language: codeLanguages.get(previous) ?? '' };
    } else if (entity.type === 'code' && samePlace && previous.type === 'pre' && tag.argument !== '') {
      previous.language = tag.argument;
    } else {
      if (entity.type === 'code' && tag.argument !== '') codeLanguages.set(entity, tag.argument);
      entities.push(entity);
    }
  }
  const unclosed = open.at(-1);
  if (unclosed) throw new EntityParseError(`Can't find end tag corresponding to start tag ${unclosed.name}`);
  return { text: text.toString(), entities: sortEntities(entities) };
}
