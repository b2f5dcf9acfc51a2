import type { MessageEntity } from 'grammy/types';
import { badRequest, TelegramErrors } from '../errors.js';
import type { FormattedText, UserResolver } from './entities.js';
import { sortEntities, trimFormattedText, withDetectedEntities } from './entities.js';
import { EntityParseError, parseHtml } from './html.js';
import { parseLegacyMarkdown, parseMarkdownV2 } from './markdown.js';

/** Telegram's limit on message text, in characters after entity parsing. */
export const maxMessageTextLength = 4096;

/** What a bot sends as message text: raw text plus either a parse_mode or explicit entities. */
export interface TextInput {
  text: string;
  parseMode?: string;
  entities?: MessageEntity[];
}

function parse(input: TextInput, resolveUser: UserResolver): FormattedText {
  const mode = input.parseMode?.toLowerCase();
  try {
    switch (mode) {
      case undefined:
      case '':
      case 'none':
        return { text: input.text, entities: sortEntities([...(input.entities ?? [])]) };
      case 'html':
        return parseHtml(input.text, resolveUser);
      case 'markdownv2':
        return parseMarkdownV2(input.text, resolveUser);
      case 'markdown':
        return parseLegacyMarkdown(input.text, resolveUser);
      default:
        throw badRequest('unsupported parse_mode');
    }
  } catch (error) {
    if (error instanceof EntityParseError) throw badRequest(`can't parse entities: ${error.message}`);
    throw error;
  }
}

/**
 * Turns what a bot sent into the text and entities Telegram stores: parses the markup, trims
 * surrounding whitespace, detects commands, mentions, hashtags and links, and enforces "message text
 * is empty" and "message is too long".
 */
export function formatMessageText(input: TextInput, resolveUser: UserResolver): FormattedText {
  const formatted = withDetectedEntities(trimFormattedText(parse(input, resolveUser)));
  if (formatted.text === '') throw TelegramErrors.textEmpty();
  if ([...formatted.text].length > maxMessageTextLength) throw TelegramErrors.textTooLong();
  return formatted;
}

/** Text typed by a simulated user: no markup, only what Telegram detects by itself. */
export function formatUserText(text: string): FormattedText {
  return withDetectedEntities(trimFormattedText({ text, entities: [] }));
}
