import type { MessageEntity, User } from 'grammy/types';

/** Looks up a user for `tg://user?id=` links; unknown users make Telegram drop the mention. */
export type UserResolver = (userId: number) => User | undefined;

/** Text as Telegram stores it: plain text plus entities in UTF-16 offsets. */
export interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

/** Telegram's tie-break for entities starting at the same offset with the same length. */
const typePriority: Record<MessageEntity['type'], number> = {
  mention: 50,
  hashtag: 50,
  bot_command: 50,
  url: 50,
  email: 50,
  bold: 90,
  italic: 91,
  code: 20,
  pre: 11,
  text_link: 49,
  text_mention: 49,
  cashtag: 50,
  phone_number: 50,
  underline: 92,
  strikethrough: 93,
  blockquote: 0,
  expandable_blockquote: 0,
  spoiler: 94,
  custom_emoji: 99,
  date_time: 50,
};

/** Orders entities the way Telegram returns them: by offset, longer first, then by type. */
export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort(
    (a, b) => a.offset - b.offset || b.length - a.length || typePriority[a.type] - typePriority[b.type],
  );
}

/** Entity types that carry their own text semantics; automatic detection never looks inside them. */
const opaqueTypes = new Set<MessageEntity['type']>(['code', 'pre', 'text_link', 'text_mention', 'custom_emoji']);

/** Letters, digits and "_", Telegram's word characters around mentions and commands. */
const wordCharacter = /[\p{L}\p{Nd}\p{N}_]/u;

interface Found {
  type: 'bot_command' | 'mention' | 'hashtag' | 'url' | 'email';
  offset: number;
  length: number;
}

function wordAt(text: string, index: number): boolean {
  const char = text[index];
  return char !== undefined && wordCharacter.test(char);
}

/** Characters that may not touch a command on either side, besides word characters. */
const commandNeighbours = new Set(['/', '<', '>']);

/** One kind of automatically detected entity: its pattern and what may surround a match. */
interface Detector {
  type: Found['type'];
  pattern: RegExp;
  standsAlone(text: string, offset: number, end: number): boolean;
}

const detectors: Detector[] = [
  {
    type: 'bot_command',
    pattern: /\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?/g,
    standsAlone: (text, offset, end) =>
      ![offset - 1, end].some((index) => wordAt(text, index) || commandNeighbours.has(text[index] ?? '')),
  },
  {
    type: 'mention',
    pattern: /@[A-Za-z0-9_]{2,32}/g,
    standsAlone: (text, offset, end) => !wordAt(text, offset - 1) && !wordAt(text, end),
  },
  {
    type: 'hashtag',
    pattern: /#[\p{L}\p{Nd}_]*\p{L}[\p{L}\p{Nd}_]*/gu,
    standsAlone: (text, offset, end) => !wordAt(text, offset - 1) && !wordAt(text, end),
  },
  {
    type: 'email',
    pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    standsAlone: (text, offset) => !wordAt(text, offset - 1),
  },
  {
    type: 'url',
    // A trailing punctuation mark ends the sentence, not the URL.
    pattern: /(?:https?:\/\/)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d{1,5})?(?:\/[^\s]*[^\s.,;:!?)])?/g,
    standsAlone: (text, offset) => text[offset - 1] !== '@' && !wordAt(text, offset - 1),
  },
];

/**
 * Finds the entities Telegram detects in any text by itself: /commands (with an optional @bot),
 * @mentions, #hashtags, e-mail addresses and URLs, with the boundaries of Telegram's patterns
 * (e.g. a command must not touch a word character, "/", "<" or ">").
 */
function detect(text: string): Found[] {
  return detectors.flatMap(({ type, pattern, standsAlone }) =>
    [...text.matchAll(pattern)].flatMap((match) => {
      const end = match.index + match[0].length;
      return standsAlone(text, match.index, end) ? [{ type, offset: match.index, length: match[0].length }] : [];
    }),
  );
}

function overlaps(a: { offset: number; length: number }, b: { offset: number; length: number }): boolean {
  return a.offset < b.offset + b.length && b.offset < a.offset + a.length;
}

/**
 * Adds the automatically detected entities to a formatted text, skipping anything inside code, pre
 * and links and anything overlapping an earlier detection (an e-mail is not also a mention and a URL).
 */
export function withDetectedEntities(formatted: FormattedText): FormattedText {
  const taken = formatted.entities.filter((entity) => opaqueTypes.has(entity.type));
  const detected: MessageEntity[] = [];
  for (const candidate of detect(formatted.text)) {
    if (taken.some((entity) => overlaps(entity, candidate))) continue;
    if (detected.some((entity) => overlaps(entity, candidate))) continue;
    detected.push(candidate);
  }
  return { text: formatted.text, entities: sortEntities([...formatted.entities, ...detected]) };
}

/**
 * Removes leading and trailing whitespace as Telegram does before storing a message, moving and
 * clipping entities with the text.
 */
export function trimFormattedText(formatted: FormattedText): FormattedText {
  const leading = formatted.text.length - formatted.text.trimStart().length;
  const text = formatted.text.trim();
  const entities: MessageEntity[] = [];
  for (const entity of formatted.entities) {
    const start = Math.max(entity.offset - leading, 0);
    const end = Math.min(entity.offset + entity.length - leading, text.length);
    if (end > start) entities.push({ ...entity, offset: start, length: end - start });
  }
  return { text, entities };
}

/** The commands in a text, e.g. for privacy-mode checks: name without "/", and the @bot if any. */
export function commandsIn(formatted: FormattedText): Array<{ command: string; botUsername?: string }> {
  return formatted.entities
    .filter((entity) => entity.type === 'bot_command')
    .map((entity) => {
      const [command = '', botUsername] = formatted.text.slice(entity.offset + 1, entity.offset + entity.length).split('@');
      return botUsername === undefined ? { command } : { command, botUsername };
    });
}

/** The @usernames mentioned in a text. */
export function mentionsIn(formatted: FormattedText): string[] {
  return formatted.entities
    .filter((entity) => entity.type === 'mention')
    .map((entity) => formatted.text.slice(entity.offset + 1, entity.offset + entity.length));
}
