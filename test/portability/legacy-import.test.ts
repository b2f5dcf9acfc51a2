import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Sqlite from 'better-sqlite3';
import type { Database } from '../../src/platform/db/index.js';
import { importLegacySqlite, type LegacyImportOptions } from '../../src/portability/legacy-import/import-sqlite.js';
import type { LegacyImportReport, TableImportReport } from '../../src/portability/legacy-import/report.js';
import { loadMapping } from '../../src/portability/legacy-import/mapping.js';
import { openTestDatabase } from '../helpers/env.js';
import { buildHostileLegacyDb, buildOddLegacyDb, buildTypicalLegacyDb } from './legacy-fixtures.js';

let db: Database;
const work = mkdtempSync(path.join(tmpdir(), 'kovan-legacy-test-'));
let fixture = 0;

before(async () => { db = await openTestDatabase(); });
after(async () => {
  await db.close();
  await rm(work, { recursive: true, force: true });
});

function legacyFile(build: (file: string) => void): string {
  const file = path.join(work, `legacy-${fixture++}.db`);
  build(file);
  return file;
}

function run(file: string, tenantId: string, options: Partial<LegacyImportOptions> = {}): Promise<LegacyImportReport> {
  return importLegacySqlite(db, { file, tenant: { id: tenantId, createIfMissing: { name: 'legacy import test', trialDays: 14 } }, ...options });
}

function table(report: LegacyImportReport, name: string): TableImportReport {
  const found = report.tables.find((t) => t.table === name);
  assert.ok(found, `${name} is in the report`);
  return found;
}

/** The report's arithmetic holds for every table: nothing read goes unaccounted for. */
function assertAccounted(report: LegacyImportReport): void {
  for (const t of report.tables) {
    const skipped = t.skipped.reduce((sum, s) => sum + s.rows, 0);
    assert.equal(t.read, t.imported + t.updated + t.unchanged + t.kept + skipped, `${t.table}: read = imported + updated + unchanged + kept + skipped`);
    assert.equal(t.checksum.rows, t.read - skipped, `${t.table}: every accepted row is in the checksum`);
    if (t.kept === 0) assert.ok(t.checksum.match, `${t.table}: source and Kovan checksums match`);
  }
}

async function rows<T = Record<string, unknown>>(tenantId: string, sql: string): Promise<T[]> {
  return db.withTenant(tenantId, async (tx) => (await tx.query<T>(sql)).rows);
}

async function addBot(tenantId: string): Promise<string> {
  const [bot] = await rows<{ id: string }>(tenantId, `INSERT INTO bots (tenant_id, telegram_bot_id, username, first_name, token_sealed, token_hint, route_id, webhook_secret_sealed)
    VALUES (current_tenant_id(), ${Math.floor(Math.random() * 1e12)}, 'legacy_bot', 'Legacy', 'sealed', 'hint', '${randomUUID()}', 'sealed') RETURNING id`);
  return bot!.id;
}

async function tenantExists(tenantId: string): Promise<boolean> {
  return (await rows(tenantId, 'SELECT 1 FROM tenants')).length === 1;
}

test("the old bot's database lands in one tenant, exactly, and re-runs add nothing", async () => {
  const file = legacyFile(buildTypicalLegacyDb);
  const tenantId = randomUUID();

  const first = await run(file, tenantId);
  assertAccounted(first);
  assert.deepEqual(first.tables.map((t) => t.table), ['templates', 'settings', 'users']);
  assert.equal(table(first, 'users').imported, 3);
  assert.match(first.notImported.find((n) => n.table === 'groups')!.reason, /tenant has none yet: connect the bot/);
  assert.match(first.notImported.find((n) => n.table === 'payments')!.reason, /not recognised/);
  assert.match(first.notImported.find((n) => n.table === 'active_users')!.reason, /a view/);
  assert.deepEqual(table(first, 'settings').skipped.map((s) => s.reason).sort(),
    ['setting "admin_ids": Kovan has no such setting', 'setting "bot_token": a credential, never imported (connect the bot in Kovan)']);

  const users = await rows<Record<string, string>>(tenantId, `SELECT user_id::text AS id, username, first_name, last_name,
    to_char(first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS first_seen FROM tg_users ORDER BY user_id`);
  assert.deepEqual(users, [
    { id: '1001', username: 'ayse', first_name: 'Ayşe', last_name: 'Yılmaz', first_seen: '2022-03-01T09:15:00.250000' },
    { id: '1002', username: null, first_name: 'مرحبا', last_name: 'עברית', first_seen: '2022-05-03T11:00:00.000000' },
    { id: '5000000001', username: 'big_id', first_name: 'Büyük 🐝', last_name: null, first_seen: '2022-04-02T10:00:00.000000' },
  ]);
  const configs = await rows<{ key: string; value: unknown }>(tenantId, 'SELECT key, value FROM tenant_configs ORDER BY key');
  assert.deepEqual(configs, [{ key: 'language', value: 'tr' }, { key: 'time_zone', value: 'Europe/Istanbul' }]);
  const everything = JSON.stringify(await rows(tenantId, 'SELECT * FROM tenant_configs')) + JSON.stringify(await rows(tenantId, 'SELECT * FROM templates'));
  assert.ok(!everything.includes('SECRET-TOKEN'), 'the bot token never reaches Kovan');
  const templates = await rows<{ kind: string; name: string }>(tenantId, 'SELECT kind, name FROM templates ORDER BY kind, name');
  assert.deepEqual(templates.map((t) => `${t.kind}:${t.name}`), ['invite:join', 'message:welcome', 'reply:faq']);
  assert.equal(table(first, 'settings').kept, 1, 'welcome_message met the templates table’s welcome: the first one stays');

  // The bot is connected: the second run brings groups and history, and changes nothing else.
  await addBot(tenantId);
  const second = await run(file, tenantId);
  assertAccounted(second);
  assert.equal(table(second, 'users').unchanged, 3);
  assert.equal(table(second, 'templates').unchanged, 3);
  assert.equal(table(second, 'groups').imported, 2);
  assert.equal(table(second, 'history').imported, 3);
  const messages = await rows<{ chat_id: string; chat_type: string; kind: string; text: string }>(tenantId,
    'SELECT chat_id::text, chat_type, kind, text FROM messages ORDER BY at');
  assert.deepEqual(messages.map((m) => [m.chat_id, m.chat_type, m.kind]), [['1002', 'private', 'text'], ['-1001234567890', 'supergroup', 'text'], ['-1001234567890', 'supergroup', 'command']]);

  const counts = async () => (await rows<{ n: string }>(tenantId, `SELECT (SELECT count(*) FROM tg_users) || '/' || (SELECT count(*) FROM groups) || '/' || (SELECT count(*) FROM messages) || '/' || (SELECT count(*) FROM templates) || '/' || (SELECT count(*) FROM tenant_configs) AS n`))[0]!.n;
  const before = await counts();
  const third = await run(file, tenantId);
  assertAccounted(third);
  for (const t of third.tables) assert.equal(t.imported + t.updated, 0, `${t.table}: nothing new on a re-run`);
  assert.equal(await counts(), before);
});

test('hostile data: NULLs, empty strings, ids as text and beyond 2^53, many date formats, duplicates, emoji and RTL', async () => {
  const file = legacyFile(buildHostileLegacyDb);
  const tenantId = randomUUID();
  await run(file, tenantId, { dryRun: true });
  assert.equal(await tenantExists(tenantId), false, 'a dry run creates nothing');
  await run(file, tenantId, { batchRows: 3 }); // small batches: duplicates straddle batch boundaries
  await addBot(tenantId);
  const report = await run(file, tenantId, { batchRows: 3 });
  assertAccounted(report);

  const users = table(report, 'Users');
  const reasons = Object.fromEntries(users.skipped.map((s) => [s.reason, s.rows]));
  assert.deepEqual(reasons, {
    'user_id is empty': 2,
    'user_id is not a Telegram user id (zero or negative: a group?)': 2,
    'duplicate user_id: merged into one user': 2,
    'user_id is not an integer': 1,
  });
  assert.equal(users.unchanged, 8, 'the first run imported them all');
  const stored = await rows<Record<string, string>>(tenantId, `SELECT user_id::text AS id, username, first_name, last_name,
    to_char(first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS first_seen, to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') AS last_seen
    FROM tg_users ORDER BY user_id`);
  const byId = Object.fromEntries(stored.map((u) => [u.id, u]));
  assert.deepEqual(Object.keys(byId).sort(), ['10', '2147483648', '42', '4611686018427387904', '7', '8', '9', '9007199254740993']);
  assert.deepEqual(byId['42'], { id: '42', username: 'forty_two', first_name: 'Kırk İki', last_name: 'Later', first_seen: '2023-05-01T14:03:00.000000', last_seen: '2023-11-14T22:13:20.000000' });
  assert.equal(byId['9007199254740993']!.first_name, '👩‍👩‍👧 family');
  assert.equal(byId['9007199254740993']!.first_seen, '2023-05-01T14:03:09.123000');
  assert.equal(byId['9007199254740993']!.last_seen, '2023-05-01T14:03:09.500000');
  assert.deepEqual([byId['7']!.first_name, byId['7']!.last_name, byId['7']!.last_seen], ['مرحبا بالعالم', 'שלום', '2023-05-31T00:00:00.000000']);
  assert.equal(byId['8']!.first_name, 'ab', 'NUL removed');
  assert.equal(byId['9']!.username, 'binary');
  assert.equal(byId['2147483648']!.username, null, 'an empty string is no username');
  assert.ok(users.adjustments.some((a) => a.field === 'first_name' && a.change === 'NUL characters removed'));

  const history = table(report, 'messages');
  assert.deepEqual(Object.fromEntries(history.skipped.map((s) => [s.reason, s.rows])), {
    'duplicate message (same chat, time, sender and text)': 1,
    'no chat_id and no user_id: the chat is unknown': 1,
    'date is empty': 1,
  });
  const messages = await rows<Record<string, string>>(tenantId, 'SELECT chat_id::text, chat_type, user_id::text, direction, status, text FROM messages ORDER BY at');
  assert.deepEqual(messages.map((m) => [m.chat_id, m.chat_type, m.user_id, m.direction, m.status, m.text]), [
    ['42', 'private', '42', 'in', 'received', 'private'],
    ['-1009876543210', 'supergroup', '42', 'in', 'received', 'first'],
    ['-1009876543210', 'supergroup', null, 'out', 'sent', 'bot says hi'],
  ]);

  const configs = Object.fromEntries((await rows<{ key: string; value: unknown }>(tenantId, 'SELECT key, value FROM tenant_configs')).map((c) => [c.key, c.value]));
  assert.deepEqual(configs, { time_zone: 'Europe/Istanbul', language: 'tr', quiet_hours: { start: '22:00', end: '07:00' } });
  const settingsSkipped = table(report, 'config').skipped.map((s) => s.reason).join('\n');
  assert.match(settingsSkipped, /"parse_mode": not a valid default_parse_mode/);
  assert.match(settingsSkipped, /"api_hash": a credential/);
  const templates = await rows<{ kind: string; name: string; content: string }>(tenantId, 'SELECT kind, name, content FROM templates ORDER BY name');
  assert.deepEqual(templates.map((t) => [t.kind, t.name, t.content.slice(0, 12)]), [
    ['message', 'greeting', 'Hello 👋'], ['message', 'imported 3', 'Unnamed text'], ['reply', 'n'.repeat(80), 'Long name'], ['message', 'welcome', 'Merhaba! 🐝'],
  ]);
  assert.deepEqual(Object.fromEntries(table(report, 'texts').skipped.map((s) => [s.reason, s.rows])), {
    'duplicate template (same kind and name): the first row was kept': 1,
    "content is longer than 4096 characters (Telegram's limit)": 1,
    'content is empty': 1,
  });
});

test('zone-less legacy dates follow --source-timezone', async () => {
  const file = legacyFile(buildTypicalLegacyDb);
  const tenantId = randomUUID();
  await run(file, tenantId, { sourceTimeZone: 'Europe/Istanbul' });
  const [user] = await rows<{ t: string }>(tenantId, `SELECT to_char(first_seen_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS t FROM tg_users WHERE user_id = 1001`);
  assert.equal(user!.t, '06:15:00.250000');
  await assert.rejects(run(file, randomUUID(), { sourceTimeZone: 'Mars/Olympus' }), /not an IANA time zone/);
});

test('a dry run reports what would happen and writes nothing, not even the tenant', async () => {
  const file = legacyFile(buildTypicalLegacyDb);
  const tenantId = randomUUID();
  const report = await run(file, tenantId, { dryRun: true });
  assert.equal(report.dryRun, true);
  assert.equal(table(report, 'users').imported, 3);
  assertAccounted(report);
  assert.equal(await tenantExists(tenantId), false);
});

test('Kovan data that is newer than the legacy data is kept, and the report says where the checksums differ', async () => {
  const file = legacyFile(buildTypicalLegacyDb);
  const tenantId = randomUUID();
  await run(file, tenantId);
  // Since the first import, the live bot learned a new username, and one user was erased.
  await rows(tenantId, `UPDATE tg_users SET username = 'ayse_2024' WHERE user_id = 1001`);
  await rows(tenantId, `DELETE FROM tg_users WHERE user_id = 1002`);
  const report = await run(file, tenantId);
  assertAccounted(report);
  const users = table(report, 'users');
  assert.deepEqual([users.imported, users.unchanged, users.kept], [1, 1, 1]);
  assert.equal(users.checksum.match, false);
  const [ayse] = await rows<{ username: string }>(tenantId, 'SELECT username FROM tg_users WHERE user_id = 1001');
  assert.equal(ayse!.username, 'ayse_2024');
});

test('tables with unknown names are imported through a mapping file; a wrong mapping stops before anything is written', async () => {
  const file = legacyFile(buildOddLegacyDb);
  const tenantId = randomUUID();
  const plain = await run(file, tenantId, { dryRun: true });
  assert.deepEqual(plain.tables, []);
  assert.equal(plain.notImported.length, 3);

  const mappingFile = path.join(work, 'mapping.json');
  writeFileSync(mappingFile, JSON.stringify({
    version: 1,
    tables: {
      clients: { target: 'users', columns: { user_id: 'tg', first_seen: 'since' } },
      kv_store: { target: 'settings', columns: { key: 'k', value: 'v' } },
      audit: { skip: 'the old audit trail is not needed' },
    },
    settings: { greeting_text: 'template:message:welcome' },
  }));
  const report = await run(file, tenantId, { mapping: await loadMapping(mappingFile) });
  assertAccounted(report);
  assert.deepEqual(report.notImported, [{ table: 'audit', reason: 'skipped by the mapping file: the old audit trail is not needed' }]);
  assert.deepEqual(table(report, 'clients').columns, { user_id: 'tg', first_seen: 'since', username: 'nick', first_name: 'fname' });
  const [user] = await rows<{ username: string; first_name: string }>(tenantId, 'SELECT username, first_name FROM tg_users');
  assert.deepEqual(user, { username: 'mapped_user', first_name: 'Mapped' });
  const [template] = await rows<{ content: string }>(tenantId, `SELECT content FROM templates WHERE name = 'welcome'`);
  assert.equal(template!.content, 'Mapped welcome');
  assert.deepEqual(await rows(tenantId, 'SELECT key, value FROM tenant_configs'), [{ key: 'time_zone', value: 'Europe/Berlin' }]);

  writeFileSync(mappingFile, JSON.stringify({ version: 1, tables: { clients: { target: 'users', columns: { user_id: 'telegram' } }, nope: { skip: 'x' } } }));
  const other = randomUUID();
  await assert.rejects(run(file, other, { mapping: await loadMapping(mappingFile) }), (error: Error) => {
    assert.match(error.message, /clients has no column "telegram" \(columns: tg, fname, nick, since\)/);
    assert.match(error.message, /tables\.nope: the file has no such table/);
    return true;
  });
  writeFileSync(mappingFile, JSON.stringify({ version: 1, tables: { clients: { target: 'wallets' } } }));
  await assert.rejects(loadMapping(mappingFile), /mapping file .* is invalid:\n  tables\.clients/);
  writeFileSync(mappingFile, '{ not json');
  await assert.rejects(loadMapping(mappingFile), /Cannot read the mapping file/);
  assert.equal(await tenantExists(other), false);
});

test('a corrupted, truncated, locked, missing or foreign file: a clear error and nothing written', async () => {
  const tenantId = randomUUID();
  const expectFailure = async (file: string, pattern: RegExp) => {
    await assert.rejects(run(file, tenantId, { busyTimeoutMs: 100 }), pattern);
    assert.equal(await tenantExists(tenantId), false);
  };

  const notSqlite = path.join(work, 'notes.txt');
  writeFileSync(notSqlite, 'these are not the droids you are looking for\n'.repeat(50));
  await expectFailure(notSqlite, /is not an SQLite 3 database\. Nothing was imported/);
  await expectFailure(path.join(work, 'missing.db'), /no such file/);
  await expectFailure(work, /is not a file/);

  const corrupted = legacyFile(buildTypicalLegacyDb);
  const bytes = readFileSync(corrupted);
  bytes.fill(0x5a, 4096 + 16, 4096 * 3); // scribble over pages 2 and 3
  writeFileSync(corrupted, bytes);
  await expectFailure(corrupted, /is corrupted .*Nothing was imported/);

  const truncated = legacyFile(buildTypicalLegacyDb);
  writeFileSync(truncated, readFileSync(truncated).subarray(0, 4096 + 100));
  await expectFailure(truncated, /is corrupted/);

  const locked = legacyFile(buildTypicalLegacyDb);
  const writer = new Sqlite(locked);
  writer.exec('BEGIN EXCLUSIVE');
  try {
    await expectFailure(locked, /is locked by another program \(is the old bot still running\?\)/);
  } finally {
    writer.exec('ROLLBACK');
    writer.close();
  }
  assertAccounted(await run(locked, tenantId)); // once released, it imports
});

/** Data an old bot really left: a person twice (once undated), giant fields, a bad chat id, an undated group. */
function buildAbsurdLegacyDb(file: string): void {
  const legacy = new Sqlite(file);
  legacy.exec(`
    CREATE TABLE users (user_id, username, first_name, last_name, first_seen, last_seen);
    CREATE TABLE groups (chat_id INTEGER PRIMARY KEY, title TEXT, added_at TEXT);
    CREATE TABLE history (chat_id, user_id, message, date);
  `);
  const user = legacy.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)');
  user.run(501, 'dated', 'Dated', null, null, null); // the same person twice, once without any date
  user.run(501, 'dated', 'Dated', null, '2022-03-01 09:00:00', '2022-04-01 09:00:00');
  user.run(502, 'u'.repeat(10_000), 'F'.repeat(5_000_000), 'L'.repeat(100), '2022-03-01', null);
  legacy.prepare('INSERT INTO groups VALUES (?, ?, ?)').run(-100777, 'Undated group', null);
  legacy.prepare('INSERT INTO groups VALUES (?, ?, ?)').run(-100778, 'T'.repeat(300), '2022-01-01');
  const message = legacy.prepare('INSERT INTO history VALUES (?, ?, ?, ?)');
  message.run(-100777, 501, 'M'.repeat(3 * 1024 * 1024), '2023-06-01 18:00:00');
  message.run('abc', 501, 'a group message whose group is unknown', '2023-06-01 18:01:00');
  legacy.close();
}

/** The absurd file imported into a new tenant with a bot; the report of the import that had the bot. */
async function importAbsurd(): Promise<{ file: string; tenantId: string; report: LegacyImportReport }> {
  const file = legacyFile(buildAbsurdLegacyDb);
  const tenantId = randomUUID();
  await run(file, tenantId);
  await addBot(tenantId);
  const report = await run(file, tenantId);
  assertAccounted(report);
  return { file, tenantId, report };
}

test('duplicates of one person merge to the real first-seen date, not the placeholder of an undated row', async () => {
  const { tenantId } = await importAbsurd();
  const [user] = await rows<{ first_seen: string }>(tenantId, `SELECT to_char(first_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS first_seen FROM tg_users WHERE user_id = 501`);
  assert.equal(user!.first_seen, '2022-03-01 09:00');
});

test("every field is cut at Telegram's own limits, and the report says what was cut", async () => {
  const { tenantId, report } = await importAbsurd();
  const [user] = await rows<{ username: string; first_name: string; last_name: string }>(tenantId, 'SELECT username, first_name, last_name FROM tg_users WHERE user_id = 502');
  assert.deepEqual([user!.first_name.length, user!.username.length, user!.last_name.length], [64, 32, 64]);
  const messages = await rows<{ length: number }>(tenantId, 'SELECT length(text) AS length FROM messages');
  assert.deepEqual(messages.map((m) => m.length), [4096]);
  const titles = await rows<{ length: number }>(tenantId, 'SELECT length(title) AS length FROM groups ORDER BY chat_id');
  assert.deepEqual(titles.map((g) => g.length), [128, 13]);
  const cuts = report.tables.flatMap((t) => t.adjustments.map((a) => `${t.table}.${a.field}: ${a.change}`));
  for (const cut of ['history.text: longer than 4096 characters: shortened', 'groups.title: longer than 128 characters: shortened']) {
    assert.ok(cuts.includes(cut), `reported: ${cut}`);
  }
  // The users were imported by the first run (before the bot): a dry run into a new tenant shows their cuts.
  const userCuts = table(await run(legacyFile(buildAbsurdLegacyDb), randomUUID(), { dryRun: true }), 'users').adjustments.map((a) => `${a.field}: ${a.change}`);
  for (const cut of ['first_name: longer than 64 characters: shortened', 'username: longer than 32 characters: shortened', 'last_name: longer than 64 characters: shortened']) {
    assert.ok(userCuts.includes(cut), `reported: ${cut}`);
  }
});

test('a group message whose chat id is not a number is skipped, not filed as a private chat', async () => {
  const { tenantId, report } = await importAbsurd();
  assert.deepEqual(Object.fromEntries(table(report, 'history').skipped.map((s) => [s.reason, s.rows])), { 'chat_id is not an integer': 1 });
  const messages = await rows<{ chat_id: string }>(tenantId, 'SELECT chat_id::text FROM messages');
  assert.deepEqual(messages, [{ chat_id: '-100777' }]);
});

test('a re-run finds an undated group as it stored it: no false checksum mismatch', async () => {
  const { file, tenantId } = await importAbsurd();
  const groups = table(await run(file, tenantId), 'groups');
  assert.equal(groups.unchanged, 2);
  assert.equal(groups.kept, 0);
  assert.ok(groups.checksum.match);
});
