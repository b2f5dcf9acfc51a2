import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/processes.js';
import { startRuntime, type Runtime, type RuntimeTenant } from '../helpers/runtime.js';

/**
 * Broadcasts end to end through the sandbox: refused up front when Telegram would refuse
 * them, rendered per group by the templates' renderer, and shown as failed or partly failed
 * — with each message's reason — when Telegram refuses some of them.
 */
let rt: Runtime;
let tenant: RuntimeTenant;
/** The tenant's three groups: the runtime's own, then "Second" and "Third". */
let groups: Array<{ id: string; chatId: number; title: string }>;

before(async () => {
  rt = await startRuntime();
  tenant = await rt.tenant({ plan: 'premium' });
  for (const title of ['Second', 'Third']) {
    const chat = rt.sandbox.createGroup({ title, type: 'supergroup', memberIds: tenant.bot.memberIds });
    rt.sandbox.addBotToGroup(tenant.bot.telegramBotId, chat.id, { admin: true });
  }
  groups = await eventually(async () => {
    const rows = await rt.api.services.db.withTenant(tenant.tenantId, async (tx) => (await tx.query<{ id: string; chatId: number; title: string }>(
      `SELECT id, chat_id AS "chatId", title FROM groups WHERE removed_at IS NULL ORDER BY added_at, id`)).rows);
    return rows.length === 3 && rows;
  }, 15_000, 'three groups recorded');
});
after(async () => { await rt.close(); });

const broadcast = (body: Record<string, unknown>) => rt.api.request('POST', '/api/broadcasts', { token: tenant.token, body });
const botMessages = (chatId: number) => rt.sandbox.chatMessages(chatId).filter((m) => m.from?.id === tenant.bot.telegramBotId);

/** The broadcast's outcome once nothing of it waits any more. */
async function settledOutcome(scheduleId: string) {
  return eventually(async () => {
    const r = await rt.api.request('GET', `/api/schedules/${scheduleId}`, { token: tenant.token });
    assert.equal(r.status, 200, r.text);
    const outcome = r.body.schedule.outcome;
    return outcome && outcome.state !== 'sending' && outcome;
  }, 20_000, 'the broadcast to finish');
}

test('a broadcast Telegram would refuse is a 400 naming the text: too long, unknown variable, unsupported HTML', async () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ text: 'x'.repeat(5000) }, /5000 characters; Telegram allows 4096/],
    [{ text: 'x'.repeat(5000), parse_mode: 'plain' }, /5000 characters/],
    [{ text: 'Hi {first_name}' }, /unknown variable \{first_name\}/],
    [{ text: 'Hi {{ nope }}' }, /unknown variable nope/],
    [{ text: '<div>Hi</div>', parse_mode: 'HTML' }, /<div> is not supported/],
    [{ text: `{group_title}${'x'.repeat(4090)}` }, /renders to 41\d\d characters; Telegram allows 4096/],
  ];
  for (const [body, reason] of cases) {
    const r = await broadcast({ ...body, group_ids: [groups[0]!.id] });
    assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 60)}: ${r.text}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.deepEqual(r.body.fields.map((f: { field: string }) => f.field), ['text']);
    assert.match(r.body.fields[0].message, reason);
  }
});

test('the limit is on what Telegram shows: long markup around 4,000 characters of text is accepted', async () => {
  const text = `<a href="https://example.com/${'p'.repeat(900)}">${'y'.repeat(4000)}</a>`;
  const r = await broadcast({ text, parse_mode: 'HTML', group_ids: [groups[0]!.id] });
  assert.equal(r.status, 201, r.text);
  const outcome = await settledOutcome(r.body.schedule.id);
  assert.deepEqual({ state: outcome.state, sent: outcome.sent }, { state: 'sent', sent: 1 });
});

test('the variables the composer offers are filled per group, plain text stays as typed', async () => {
  const r = await broadcast({ text: 'News for {group_title} ({member_count} members) from @{bot_username} on {date}: 1 < 2 & more', parse_mode: 'plain', group_ids: [groups[1]!.id, groups[2]!.id] });
  assert.equal(r.status, 201, r.text);
  for (const group of groups.slice(1)) {
    const message = await eventually(async () => botMessages(group.chatId).find((m) => m.text?.startsWith('News for')), 15_000, `the post in ${group.title}`);
    assert.match(message.text!, new RegExp(`^News for ${group.title} \\(\\d+ members\\) from @\\w+_bot on \\d{4}-\\d\\d-\\d\\d: 1 < 2 & more$`));
  }
  const outcome = await settledOutcome(r.body.schedule.id);
  assert.deepEqual({ state: outcome.state, sent: outcome.sent, problems: outcome.problems }, { state: 'sent', sent: 2, problems: [] });
});

test('messages Telegram refused make the broadcast partly failed, each with its reason; all refused is failed', async () => {
  rt.sandbox.failNext(tenant.bot.telegramBotId, { method: 'sendMessage', errorCode: 400, description: 'Bad Request: message is too long' });
  const partly = await broadcast({ text: 'Partly', group_ids: [groups[1]!.id, groups[2]!.id] });
  assert.equal(partly.status, 201, partly.text);
  const outcome = await settledOutcome(partly.body.schedule.id);
  assert.deepEqual({ state: outcome.state, sent: outcome.sent, failed: outcome.failed }, { state: 'partly_failed', sent: 1, failed: 1 });
  assert.equal(outcome.problems.length, 1);
  assert.match(outcome.problems[0].reason, /message is too long/);
  assert.ok(['Second', 'Third'].includes(outcome.problems[0].groupTitle), JSON.stringify(outcome.problems[0]));

  await rt.api.request('PATCH', `/api/groups/${groups[2]!.id}`, { token: tenant.token, body: { enabled: false } });
  rt.sandbox.failNext(tenant.bot.telegramBotId, { method: 'sendMessage', errorCode: 400, description: 'Bad Request: chat is deactivated' });
  const failed = await broadcast({ text: 'Nobody', group_ids: [groups[1]!.id, groups[2]!.id] });
  assert.equal(failed.status, 201, failed.text);
  const all = await settledOutcome(failed.body.schedule.id);
  assert.deepEqual({ state: all.state, sent: all.sent, failed: all.failed, refused: all.refused }, { state: 'failed', sent: 0, failed: 1, refused: 1 });
  assert.deepEqual(all.problems.map((p: { groupTitle: string; status: string }) => [p.groupTitle, p.status]), [['Second', 'failed'], ['Third', 'refused']]);
  assert.match(all.problems[0].reason, /chat is deactivated/);
  assert.match(all.problems[1].reason, /^group_paused/);
  const list = await rt.api.request('GET', '/api/schedules?limit=1', { token: tenant.token });
  assert.equal(list.body.items[0].outcome.state, 'failed', 'the list says so too, not "completed" alone');
  await rt.api.request('PATCH', `/api/groups/${groups[2]!.id}`, { token: tenant.token, body: { enabled: true } });
});
