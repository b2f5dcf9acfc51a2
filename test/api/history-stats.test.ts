import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Update } from 'grammy/types';
import { handleUpdate } from '../../src/messaging/pipeline.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { addSandboxGroup, connectSandboxBot, setPlan, newTenant, type ConnectedBot, type Session } from '../helpers/rest-api.js';

/**
 * History and statistics, fed through the update pipeline (the code path every Telegram
 * update takes): the history pages by cursor without gaps or repeats, filters and CSV
 * work, and the dashboard's numbers come from the rollups the pipeline keeps.
 */
let api: TestApi;
let owner: Session;
let bot: ConnectedBot;
let chatId: number;
let otherChatId: number;
let updateId = 1;
const now = Math.floor(Date.now() / 1000);

const person = (id: number, name: string) => ({ id, is_bot: false, first_name: name });
const groupChat = (id: number) => ({ id, type: 'supergroup' as const, title: `Chat ${id}` });

async function feed(update: Omit<Update, 'update_id'>): Promise<void> {
  await api.services.db.withTenant(owner.tenantId, (tx) => handleUpdate(tx, { id: bot.id, telegramBotId: bot.telegramBotId }, { update_id: updateId++, ...update } as Update));
}

function message(chat: number, from: number, text: string, date = now) {
  return { message: { message_id: updateId, date, chat: groupChat(chat), from: person(from, `P${from}`), text } } as Omit<Update, 'update_id'>;
}

before(async () => {
  api = await startTestApi();
  owner = await newTenant(api, 'hist');
  await setPlan(api, owner.tenantId, 'premium');
  bot = await connectSandboxBot(api, owner);
  chatId = (await addSandboxGroup(api, owner.tenantId, bot, { title: 'Main' })).chatId;
  otherChatId = (await addSandboxGroup(api, owner.tenantId, bot, { title: 'Other' })).chatId;
  // Seven messages in the same second (ties on `at` must page by id), two in another chat, one join.
  for (let i = 0; i < 7; i++) await feed(message(chatId, 1000 + (i % 3), `hello ${i}`));
  await feed(message(otherChatId, 2000, '=HYPERLINK("http://evil")'));
  await feed(message(otherChatId, 2001, 'older', now - 3600));
  await feed({ message: { message_id: 99, date: now, chat: groupChat(chatId), from: person(3000, 'Joiner'), new_chat_members: [person(3000, 'Joiner')] } } as Omit<Update, 'update_id'>);
});
after(async () => { await api.close(); });

async function allPages(query: string, limit: number): Promise<Array<{ id: number; text: string | null; kind: string; chatId: number }>> {
  const items = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r: any = await api.request('GET', `/api/messages/history?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, { token: owner.token });
    assert.equal(r.status, 200, r.text);
    items.push(...r.body.items);
    cursor = r.body.nextCursor;
    assert.ok(++pages < 50);
  } while (cursor);
  return items;
}

test('history: newest first, every row exactly once across cursor pages (ties on time included)', async () => {
  const items = await allPages('', 2);
  assert.equal(items.length, 10);
  assert.equal(new Set(items.map((i) => i.id)).size, 10);
  const ids = items.map((i) => i.id);
  const sameSecond = items.filter((i) => i.text !== 'older');
  assert.deepEqual(sameSecond.map((i) => i.id), [...sameSecond.map((i) => i.id)].sort((a, b) => b - a), 'ties are ordered by id, descending');
  assert.equal(items[items.length - 1]!.text, 'older');
  assert.deepEqual(await allPages('', 100).then((all) => all.map((i) => i.id)), ids, 'page size does not change the sequence');
});

test('history filters: chat, direction, kind, date range', async () => {
  assert.equal((await allPages(`&chat=${otherChatId}`, 50)).length, 2);
  assert.equal((await allPages('&kind=join', 50)).length, 1);
  assert.equal((await allPages('&direction=out', 50)).length, 0);
  assert.equal((await allPages('&direction=in', 50)).length, 10);
  const recent = new Date((now - 60) * 1000).toISOString();
  assert.equal((await allPages(`&start_date=${encodeURIComponent(recent)}`, 50)).length, 9, 'the hour-old message is before the range');
  const today = new Date().toISOString().slice(0, 10);
  assert.equal((await allPages(`&start_date=${today}&end_date=${today}`, 50)).length >= 8, true);
});

test('history CSV: format=csv or Accept: text/csv, with formula injection neutralised', async () => {
  const r = await api.request('GET', '/api/messages/history?format=csv', { token: owner.token });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
  const lines = r.text.trim().split('\r\n');
  assert.equal(lines[0], 'id,at,bot_id,chat_id,chat_type,direction,kind,user_id,status,reason,text');
  assert.equal(lines.length, 11);
  assert.ok(r.text.includes(`"'=HYPERLINK(""http://evil"")"`), r.text);
  const byAccept = await api.request('GET', '/api/messages/history?limit=3', { token: owner.token, headers: { accept: 'text/csv' } });
  assert.equal(byAccept.text.trim().split('\r\n').length, 4);
  assert.ok(byAccept.headers.get('kovan-next-cursor'));
});

test('history parameters are validated: 400 naming the field, never a 500', async () => {
  const cases: Array<[string, string]> = [
    ['start_date=yesterday', 'start_date'],
    ['end_date=2025-02-30', 'end_date'],
    ['start_date=2025-03-01T10:00:00', 'start_date'],
    ['start_date=2025-03-02&end_date=2025-03-01', 'end_date'],
    ['start_date=2023-01-01&end_date=2025-01-01', 'start_date'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['cursor=%00', 'cursor'],
    ['limit=0', 'limit'],
    ['limit=500', 'limit'],
    ['chat=abc', 'chat'],
    ['direction=sideways', 'direction'],
    ['kind=nope', 'kind'],
    ['bot_id=42', 'bot_id'],
    ['format=xml', 'format'],
    ['unknown=1', 'unknown'],
  ];
  for (const [query, field] of cases) {
    const r = await api.request('GET', `/api/messages/history?${query}`, { token: owner.token });
    assert.equal(r.status, 400, `${query}: ${r.text}`);
    assert.equal(r.body.fields?.[0]?.field, field, `${query}: ${r.text}`);
  }
});

test('dashboard: totals, series and per-group numbers come from the rollups the pipeline keeps', async () => {
  const r = await api.request('GET', '/api/dashboard/stats?breakdown=group', { token: owner.token });
  assert.equal(r.status, 200, r.text);
  const stats = r.body;
  assert.equal(stats.today.messagesIn, 9);
  assert.equal(stats.today.joins, 1);
  const rollup = await api.services.db.withOwner(async (tx) => (await tx.query<{ new_users: number; active_users: number }>(
    `SELECT new_users, active_users FROM stats_daily WHERE tenant_id = $1 AND chat_id = 0`, [owner.tenantId])).rows[0]!);
  assert.equal(stats.today.newUsers, rollup.new_users);
  assert.equal(stats.today.activeUsers, rollup.active_users);
  assert.equal(stats.totals.messagesIn, 9);
  assert.equal(stats.series.length, 30);
  assert.equal(stats.series[29].messagesIn, 9);
  const main = stats.groups.find((g: { chatId: number }) => g.chatId === chatId);
  assert.equal(main.messagesIn, 7);
  assert.equal(main.title, 'Main');
  assert.equal(stats.bots[0].id, bot.id);
  assert.equal(stats.recentActivity.length, 10);
  assert.equal(stats.quota.limit, 2000);

  // A history row written without its rollup does not move the numbers: they are not a COUNT over history.
  await api.services.db.withTenant(owner.tenantId, (tx) => tx.query(
    `INSERT INTO messages (tenant_id, bot_id, chat_id, chat_type, direction, kind, text, status) VALUES ($1, $2, $3, 'supergroup', 'in', 'text', 'stray', 'received')`,
    [owner.tenantId, bot.id, chatId]));
  const again = (await api.request('GET', '/api/dashboard/stats', { token: owner.token })).body;
  assert.equal(again.today.messagesIn, 9);
  assert.equal(again.recentActivity[0].text, 'stray', 'recent activity is the history itself');
});

test('users stats: audience, series, top groups, retention cohorts', async () => {
  const r = await api.request('GET', '/api/users/stats', { token: owner.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.audience.total, 6);
  assert.equal(r.body.topGroups[0].chatId, chatId);
  assert.equal(r.body.retention.length, 1);
  assert.equal(r.body.retention[0].users, 6);
  assert.equal(r.body.retention[0].returnedAfter30Days, null, 'too young a cohort to know');
  const csv = await api.request('GET', '/api/users/stats?format=csv', { token: owner.token });
  assert.match(csv.text, /^day,new_users,active_users\r\n/);
});

test('dashboard date parameters are validated', async () => {
  const tomorrow = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  for (const [query, field] of [['start_date=01/02/2025', 'start_date'], [`end_date=${tomorrow}`, 'end_date'], ['start_date=2020-01-01', 'start_date'], ['breakdown=chat', 'breakdown']] as const) {
    const r = await api.request('GET', `/api/dashboard/stats?${query}`, { token: owner.token });
    assert.equal(r.status, 400, `${query}: ${r.text}`);
    assert.equal(r.body.fields[0].field, field, r.text);
  }
});

test('the rollups count each new person once', async () => {
  const r = await api.request('GET', '/api/users/stats', { token: owner.token });
  assert.equal(r.body.today.newUsers, 6, '1000–1002, 2000, 2001 and the joiner');
});
