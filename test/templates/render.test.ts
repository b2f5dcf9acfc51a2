import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  escapeTelegramHtml, groupPostVariables, isAdvancedTemplate, mentionOf, renderTemplate, telegramHtmlProblem, telegramTextLength, telegramVisibleText, templateProblem, validateTemplate,
} from '../../src/templates/index.js';

test('variables render escaped for Telegram HTML; the template’s own markup stays', async () => {
  const text = await renderTemplate('Hi <b>{first_name}</b> in {group_title}', { first_name: '<script>&', group_title: 'A<B>' });
  assert.equal(text, 'Hi <b>&lt;script&gt;&amp;</b> in A&lt;B&gt;');
});

test('a crafted name cannot smuggle markup through a mention', async () => {
  const text = await renderTemplate('{mention}', { mention: mentionOf(42, '</a><b>x') });
  assert.equal(text, '<a href="tg://user?id=42">&lt;/a&gt;&lt;b&gt;x</a>');
  const plain = await renderTemplate('{first_name}', { first_name: '<a href="tg://user?id=1">x</a>' });
  assert.ok(!plain.includes('<a'), 'a string that looks like a mention is still escaped');
});

test('missing and empty values are nil: falsy in conditions, empty in output', async () => {
  assert.equal(await renderTemplate('{% if username %}@{{ username }}{% else %}{first_name}{% endif %}', { first_name: 'Ayşe', username: '' }), 'Ayşe');
  assert.equal(await renderTemplate('[{last_name}]', {}), '[]');
});

test('saving checks syntax, unknown variables and Telegram HTML, naming the line', async () => {
  const cases: Array<[string, RegExp]> = [
    ['Hi {nope}', /line 1: unknown variable \{nope\}/],
    ['ok\n{% if first_name %}', /line 2: .*not closed/],
    ['<div>x</div>', /line 1: <div> is not supported/],
    ['line\n<b>open', /line 2: <b> is never closed/],
    ['{{ first_name | shell }}', /undefined filter/],
    ['{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}', /./],
  ];
  for (const [content, reason] of cases) {
    await assert.rejects(validateTemplate(content), (e: Error) => reason.test(e.message), content);
  }
  await validateTemplate('Welcome {first_name} to <b>{group_title}</b> — <i>{date}</i>');
});

test('advanced templates are those with tags or filters', () => {
  assert.equal(isAdvancedTemplate('Hi {first_name}'), false);
  assert.equal(isAdvancedTemplate('{{ first_name | upcase }}'), true);
  assert.equal(isAdvancedTemplate('{% if username %}x{% endif %}'), true);
});

test('Telegram HTML checker accepts nesting and rejects crossing tags', () => {
  assert.equal(telegramHtmlProblem('<b><i>x</i></b> <a href="https://x">y</a>'), undefined);
  assert.match(telegramHtmlProblem('<b><i>x</b></i>')!.message, /closes <i>/);
  assert.match(telegramHtmlProblem('1 < 2')!.message, /&lt;/);
});

test('Telegram’s length is the text it shows: tags gone, entities decoded, trimmed, in code points', () => {
  assert.equal(telegramVisibleText(' <b>a &lt; b</b> &amp; <a href="https://x.example/long">c</a>&#33;&#x21;&quot; '), 'a < b & c!!"');
  assert.equal(telegramTextLength('👨‍👩‍👧'), 5);
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (plain) => {
    assert.equal(telegramVisibleText(escapeTelegramHtml(plain)), plain.trim(), 'escaping, then parsing, gives the text back');
  }));
});

test('a post to groups may only use the group’s variables', async () => {
  assert.equal(await templateProblem('News for {group_title} on {date}', groupPostVariables), undefined);
  assert.match((await templateProblem('Hi {first_name}', groupPostVariables))!.message, /unknown variable \{first_name\}; available: group_title, member_count/);
  assert.match((await templateProblem('Hi {{ mention }}', groupPostVariables))!.message, /unknown variable mention/);
});
