import type { MessageEntity } from 'grammy/types';
import type { FormattedText, UserResolver } from './entities.js';
import { sortEntities } from './entities.js';
import { EntityParseError } from './html.js';
import { checkedLink, linkUserId } from './links.js';
import { byteAt, ByteWriter, isSpaceByte, utf16Width } from './utf8.js';

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const BACKTICK = 0x60;

/** Names Telegram uses for entity kinds in its "Can't find end of … entity" messages. */
type Kind = 'Bold' | 'Italic' | 'Underline' | 'Strikethrough' | 'Spoiler' | 'Code' | 'Pre' | 'PreCode' | 'TextUrl' | 'CustomEmoji' | 'BlockQuote';

interface OpenEntity {
  kind: Kind;
  argument: string;
  utf16Offset: number;
  byteOffset: number;
  outputStart: number;
}

function reserved(character: number): EntityParseError {
  return new EntityParseError(
    `Character '${String.fromCharCode(character)}' is reserved and must be escaped with the preceding '\\'`,
  );
}

function linkEntity(url: string, offset: number, length: number, resolveUser: UserResolver): MessageEntity | undefined {
  const userId = linkUserId(url);
  if (userId !== undefined) {
    const user = resolveUser(userId);
    return user ? { type: 'text_mention', offset, length, user } : undefined;
  }
  const checked = checkedLink(url);
  return checked === undefined ? undefined : { type: 'text_link', offset, length, url: checked };
}

/** Reads "(…)" after a link text with backslash escapes; returns the URL and the index of ")". */
function readParenthesizedUrl(bytes: Uint8Array, open: number, what: string): { url: string; close: number } {
  const url = new ByteWriter();
  let i = open + 1;
  const start = i;
  while (i < bytes.length && byteAt(bytes, i) !== 0x29) {
    if (byteAt(bytes, i) === BACKSLASH && byteAt(bytes, i + 1) > 0 && byteAt(bytes, i + 1) <= 126) {
      url.push(byteAt(bytes, i + 1));
      i += 2;
      continue;
    }
    url.push(byteAt(bytes, i++));
  }
  if (byteAt(bytes, i) !== 0x29) throw new EntityParseError(`Can't find end of ${what} at byte offset ${start}`);
  return { url: url.toString(), close: i };
}

function closesEntity(entity: OpenEntity, bytes: Uint8Array, i: number, inBlockquote: boolean): boolean {
  const c = byteAt(bytes, i);
  if (inBlockquote && c === NEWLINE && (i + 1 === bytes.length || byteAt(bytes, i + 1) !== 0x3e)) return true;
  switch (entity.kind) {
    case 'Bold':
      return c === 0x2a;
    case 'Italic':
      return c === 0x5f && byteAt(bytes, i + 1) !== 0x5f;
    case 'Underline':
      return c === 0x5f && byteAt(bytes, i + 1) === 0x5f;
    case 'Code':
      return c === BACKTICK;
    case 'Pre':
    case 'PreCode':
      return c === BACKTICK && byteAt(bytes, i + 1) === BACKTICK && byteAt(bytes, i + 2) === BACKTICK;
    case 'TextUrl':
    case 'CustomEmoji':
      return c === 0x5d;
    case 'Strikethrough':
      return c === 0x7e;
    case 'Spoiler':
      return c === 0x7c && byteAt(bytes, i + 1) === 0x7c;
    case 'BlockQuote':
      return false;
  }
}

/** Entity kinds that carry no argument. */
const simpleTypes: Partial<Record<Kind, MessageEntity.CommonMessageEntity['type']>> = {
  Bold: 'bold',
  Italic: 'italic',
  Underline: 'underline',
  Strikethrough: 'strikethrough',
  Spoiler: 'spoiler',
  Code: 'code',
  BlockQuote: 'blockquote',
};

/**
 * Parses parse_mode "MarkdownV2" following Telegram's rules: every one of
 * `_*[]()~\`>#+-=|{}.!` outside an entity must be escaped, and unclosed entities fail with
 * "Can't find end of Bold entity at byte offset N".
 */
export function parseMarkdownV2(input: string, resolveUser: UserResolver): FormattedText {
  const bytes = Buffer.from(input, 'utf8');
  const text = new ByteWriter();
  const entities: MessageEntity[] = [];
  const open: OpenEntity[] = [];
  let utf16Offset = 0;
  let inBlockquote = false;

  for (let i = 0; i < bytes.length; i++) {
    const c = byteAt(bytes, i);
    if (c === BACKSLASH && byteAt(bytes, i + 1) > 0 && byteAt(bytes, i + 1) <= 126) {
      i++;
      utf16Offset += 1;
      text.push(byteAt(bytes, i));
      continue;
    }
    const top = open.at(-1);
    const insideCode = top?.kind === 'Code' || top?.kind === 'Pre' || top?.kind === 'PreCode';
    const reservedHere = insideCode ? '`' : '_*[]()~`>#+-=|{}.!\n';
    if (!reservedHere.includes(String.fromCharCode(c))) {
      utf16Offset += utf16Width(c);
      text.push(c);
      continue;
    }

    if (!top || !closesEntity(top, bytes, i, inBlockquote)) {
      let kind: Kind | undefined;
      let argument = '';
      const byteOffset = i;
      switch (c) {
        case 0x5f:
          if (byteAt(bytes, i + 1) === 0x5f) {
            kind = 'Underline';
            i++;
          } else {
            kind = 'Italic';
          }
          break;
        case 0x2a:
          kind = 'Bold';
          break;
        case 0x7e:
          kind = 'Strikethrough';
          break;
        case 0x7c:
          if (byteAt(bytes, i + 1) !== 0x7c) throw reserved(c);
          i++;
          kind = 'Spoiler';
          break;
        case 0x5b:
          kind = 'TextUrl';
          break;
        case BACKTICK:
          if (byteAt(bytes, i + 1) === BACKTICK && byteAt(bytes, i + 2) === BACKTICK) {
            i += 3;
            kind = 'Pre';
            let languageEnd = i;
            while (byteAt(bytes, languageEnd) !== 0 && !isSpaceByte(byteAt(bytes, languageEnd)) && byteAt(bytes, languageEnd) !== BACKTICK) languageEnd++;
            if (i !== languageEnd && languageEnd < bytes.length && byteAt(bytes, languageEnd) !== BACKTICK) {
              kind = 'PreCode';
              argument = Buffer.from(bytes.subarray(i, languageEnd)).toString('utf8');
              i = languageEnd;
            }
            if (byteAt(bytes, i) === NEWLINE || byteAt(bytes, i) === 0x0d) {
              const pair = (byteAt(bytes, i + 1) === NEWLINE || byteAt(bytes, i + 1) === 0x0d) && byteAt(bytes, i) !== byteAt(bytes, i + 1);
              i += pair ? 2 : 1;
            }
            i--;
          } else {
            kind = 'Code';
          }
          break;
        case 0x21:
          if (byteAt(bytes, i + 1) !== 0x5b) throw reserved(c);
          i++;
          kind = 'CustomEmoji';
          break;
        case NEWLINE:
          utf16Offset += 1;
          text.push(NEWLINE);
          if (i + 1 < bytes.length && byteAt(bytes, i + 1) === 0x3e) {
            i++;
            if (!inBlockquote) {
              kind = 'BlockQuote';
              inBlockquote = true;
            }
          }
          break;
        case 0x3e:
          if (i !== 0) throw reserved(c);
          kind = 'BlockQuote';
          inBlockquote = true;
          break;
        default:
          throw reserved(c);
      }
      if (kind) open.push({ kind, argument, utf16Offset, byteOffset, outputStart: text.length });
      continue;
    }

    if (c === NEWLINE && top.kind !== 'BlockQuote') {
      throw new EntityParseError(`Can't find end of ${top.kind} entity at byte offset ${top.byteOffset}`);
    }
    const offset = top.utf16Offset;
    const length = utf16Offset - offset;
    let entity: MessageEntity | undefined;
    switch (top.kind) {
      case 'Underline':
      case 'Spoiler':
        i++;
        break;
      case 'Pre':
      case 'PreCode':
        i += 2;
        break;
      case 'TextUrl': {
        let url = text.slice(top.outputStart);
        if (byteAt(bytes, i + 1) === 0x28) {
          const read = readParenthesizedUrl(bytes, i + 1, 'a URL');
          url = read.url;
          i = read.close;
        }
        if (length > 0) entity = linkEntity(url, offset, length, resolveUser);
        break;
      }
      case 'CustomEmoji': {
        if (byteAt(bytes, i + 1) !== 0x28) throw new EntityParseError('Custom emoji entity must contain a tg://emoji URL');
        const read = readParenthesizedUrl(bytes, i + 1, 'a custom emoji URL');
        i = read.close;
        const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(read.url)?.[1];
        if (id === undefined) throw new EntityParseError('Custom emoji URL must have an emoji identifier');
        if (length > 0) entity = { type: 'custom_emoji', offset, length, custom_emoji_id: id };
        break;
      }
      case 'BlockQuote':
        inBlockquote = false;
        text.push(c);
        utf16Offset += 1;
        break;
      default:
        break;
    }
    if (!entity && length > 0) {
      const simple = simpleTypes[top.kind];
      if (top.kind === 'Pre') entity = { type: 'pre', offset, length };
      else if (top.kind === 'PreCode') entity = { type: 'pre', offset, length, language: top.argument };
      else if (simple) entity = { type: simple, offset, length };
    }
    if (entity) entities.push(entity);
    open.pop();
  }
  const last = open.at(-1);
  if (inBlockquote && last?.kind === 'BlockQuote') {
    open.pop();
    if (utf16Offset > last.utf16Offset) entities.push({ type: 'blockquote', offset: last.utf16Offset, length: utf16Offset - last.utf16Offset });
  }
  const unclosed = open.at(-1);
  if (unclosed) throw new EntityParseError(`Can't find end of ${unclosed.kind} entity at byte offset ${unclosed.byteOffset}`);
  return { text: text.toString(), entities: sortEntities(entities) };
}

/**
 * Parses the legacy parse_mode "Markdown": `*bold*`, `_italic_`, `` `code` ``, ```` ```pre``` ````
 * and `[text](url)`, no nesting, and "Can't find end of the entity starting at byte offset N".
 */
export function parseLegacyMarkdown(input: string, resolveUser: UserResolver): FormattedText {
  const bytes = Buffer.from(input, 'utf8');
  const text = new ByteWriter();
  const entities: MessageEntity[] = [];
  let utf16Offset = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = byteAt(bytes, i);
    if (c === BACKSLASH && [0x5f, 0x2a, BACKTICK, 0x5b].includes(byteAt(bytes, i + 1))) {
      i++;
      utf16Offset += 1;
      text.push(byteAt(bytes, i));
      continue;
    }
    if (![0x5f, 0x2a, BACKTICK, 0x5b].includes(c)) {
      utf16Offset += utf16Width(c);
      text.push(c);
      continue;
    }
    const begin = i;
    let endCharacter = c === 0x5b ? 0x5d : c;
    const isPre = c === BACKTICK && byteAt(bytes, i + 1) === BACKTICK && byteAt(bytes, i + 2) === BACKTICK;
    let language = '';
    i++;
    if (isPre) {
      i += 2;
      const languageStart = i;
      while (i < bytes.length && !isSpaceByte(byteAt(bytes, i)) && byteAt(bytes, i) !== BACKTICK) i++;
      if (i < bytes.length && byteAt(bytes, i) !== BACKTICK) language = Buffer.from(bytes.subarray(languageStart, i)).toString('utf8');
      else i = languageStart;
      endCharacter = BACKTICK;
    }
    const entityOffset = utf16Offset;
    const outputStart = text.length;
    while (i < bytes.length && (byteAt(bytes, i) !== endCharacter || (isPre && !(byteAt(bytes, i + 1) === BACKTICK && byteAt(bytes, i + 2) === BACKTICK)))) {
      utf16Offset += utf16Width(byteAt(bytes, i));
      text.push(byteAt(bytes, i++));
    }
    if (i === bytes.length) throw new EntityParseError(`Can't find end of the entity starting at byte offset ${begin}`);
    const length = utf16Offset - entityOffset;
    let entity: MessageEntity | undefined;
    if (c === 0x5b) {
      let url = text.slice(outputStart);
      if (byteAt(bytes, i + 1) === 0x28) {
        const urlStart = i + 2;
        i = urlStart;
        while (i < bytes.length && byteAt(bytes, i) !== 0x29) i++;
        url = Buffer.from(bytes.subarray(urlStart, i)).toString('utf8');
      }
      if (length > 0) entity = linkEntity(url, entityOffset, length, resolveUser);
    } else if (length > 0) {
      if (c === 0x5f) entity = { type: 'italic', offset: entityOffset, length };
      else if (c === 0x2a) entity = { type: 'bold', offset: entityOffset, length };
      else if (isPre) entity = language === '' ? { type: 'pre', offset: entityOffset, length } : { type: 'pre', offset: entityOffset, length, language };
      else entity = { type: 'code', offset: entityOffset, length };
    }
    if (entity) entities.push(entity);
    if (isPre) i += 2;
  }
  return { text: text.toString(), entities: sortEntities(entities) };
}
