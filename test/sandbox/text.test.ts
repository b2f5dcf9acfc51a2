import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { User } from 'grammy/types';
import { BotApiError } from '../../src/sandbox/index.js';
import { formatMessageText } from '../../src/sandbox/text/format.js';

const ada: User = { id: 42, is_bot: false, first_name: 'Ada' };
const resolveUser = (id: number) => (id === ada.id ? ada : undefined);

function format(text: string, parseMode?: string) {
  return formatMessageText(parseMode === undefined ? { text } : { text, parseMode }, resolveUser);
}

function parseError(text: string, parseMode: string): string {
  try {
    format(text, parseMode);
  } catch (error) {
    assert.ok(error instanceof BotApiError);
    return error.description.replace("Bad Request: can't parse entities: ", '');
  }
  return assert.fail('expected a parse error');
}

describe('message text formatting', () => {
  test('HTML entities and offsets count UTF-16 code units, as Telegram does', () => {
    const result = format('😀 <i>é&lt;&#x1F600;</i> <code>x</code> <pre><code class="language-ts">let a</code></pre>', 'HTML');
    assert.equal(result.text, '😀 é<😀 x let a');
    assert.deepEqual(result.entities, [
      { type: 'italic', offset: 3, length: 4 },
      { type: 'code', offset: 8, length: 1 },
      { type: 'pre', offset: 10, length: 5, language: 'ts' },
    ]);
    assert.deepEqual(format('<a href="tg://user?id=42">Ada</a> <tg-spoiler>s</tg-spoiler>', 'HTML').entities, [
      { type: 'text_mention', offset: 0, length: 3, user: ada },
      { type: 'spoiler', offset: 4, length: 1 },
    ]);
    assert.equal(format('AT&T &unknown; done', 'HTML').text, 'AT&T &unknown; done', 'unknown entities stay text');
  });

  test("HTML errors quote Telegram's messages with byte offsets", () => {
    assert.equal(parseError('é <x>', 'HTML'), 'Unsupported start tag "x" at byte offset 3');
    assert.equal(parseError('<b>a</i>', 'HTML'), 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"');
    assert.equal(parseError('a</b>', 'HTML'), 'Unexpected end tag at byte offset 1');
    assert.equal(parseError('<b', 'HTML'), 'Unclosed start tag at byte offset 0');
    assert.equal(parseError('<span>x</span>', 'HTML'), 'Tag "span" must have class "tg-spoiler" at byte offset 0');
    assert.equal(parseError('<i><b>x</b>', 'HTML'), "Can't find end tag corresponding to start tag i");
  });

  test('MarkdownV2 and legacy Markdown', () => {
    const v2 = format('*bold _both_* __under__ ~gone~ ||hidden|| `code` [link](https://example.com/a\\)b) 1\\.5', 'MarkdownV2');
    assert.equal(v2.text, 'bold both under gone hidden code link 1.5');
    assert.deepEqual(
      v2.entities.map((entity) => entity.type),
      ['bold', 'italic', 'underline', 'strikethrough', 'spoiler', 'code', 'text_link'],
    );
    assert.equal(parseError('*unclosed', 'MarkdownV2'), "Can't find end of Bold entity at byte offset 0");
    assert.equal(parseError('a-b', 'MarkdownV2'), "Character '-' is reserved and must be escaped with the preceding '\\'");
    const legacy = format('*bold* _it_ [x](http://a.b) a-b', 'Markdown');
    assert.equal(legacy.text, 'bold it x a-b');
    assert.equal(parseError('*open', 'Markdown'), "Can't find end of the entity starting at byte offset 0");
  });

  test('detected entities, trimming, limits and unknown parse modes', () => {
    const detected = format('  /start@my_bot hi @someone #tag see https://kovan.dev, mail a@b.io  ');
    assert.equal(detected.text, '/start@my_bot hi @someone #tag see https://kovan.dev, mail a@b.io');
    assert.deepEqual(
      detected.entities.map((entity) => [entity.type, detected.text.slice(entity.offset, entity.offset + entity.length)]),
      [['bot_command', '/start@my_bot'], ['mention', '@someone'], ['hashtag', '#tag'], ['url', 'https://kovan.dev'], ['email', 'a@b.io']],
    );
    assert.equal(format('<code>/notacommand</code>', 'HTML').entities.length, 1, 'nothing is detected inside code');
    assert.throws(() => format('x', 'BBCode'), /unsupported parse_mode/);
  });
});
