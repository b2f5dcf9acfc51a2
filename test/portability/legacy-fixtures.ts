import Sqlite from 'better-sqlite3';

/**
 * Legacy SQLite databases as the old single-user Python bot left them, built for real with
 * better-sqlite3 (the importer reads them with the same library, as a stranger would).
 */

/** The old bot's schema with ordinary data: what most migrations look like. */
export function buildTypicalLegacyDb(file: string): void {
  const db = new Sqlite(file);
  db.exec(`
    CREATE TABLE users (user_id INTEGER PRIMARY KEY, username TEXT, first_name TEXT, last_name TEXT, first_seen TIMESTAMP, last_seen TIMESTAMP);
    CREATE TABLE groups (chat_id INTEGER PRIMARY KEY, title TEXT, added_at TIMESTAMP, member_count INTEGER);
    CREATE TABLE templates (id INTEGER PRIMARY KEY, name TEXT, text TEXT, type TEXT);
    CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER, user_id INTEGER, message TEXT, date TIMESTAMP);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE payments (id INTEGER PRIMARY KEY, user_id INTEGER, amount REAL);
    CREATE VIEW active_users AS SELECT * FROM users WHERE last_seen > '2023-01-01';
  `);
  const user = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)');
  user.run(1001, 'ayse', 'Ayşe', 'Yılmaz', '2022-03-01 09:15:00.250000', '2023-06-01 18:00:00');
  user.run(5_000_000_001n, 'big_id', 'Büyük 🐝', null, '2022-04-02 10:00:00', '2023-06-02 10:00:00');
  user.run(1002, null, 'مرحبا', 'עברית', '2022-05-03 11:00:00', '2022-05-03 11:00:00');
  const group = db.prepare('INSERT INTO groups VALUES (?, ?, ?, ?)');
  group.run(-1001234567890n, 'Arılar 🐝', '2022-01-01 00:00:00', 120);
  group.run(-4567, 'Old basic group', null, null);
  const template = db.prepare('INSERT INTO templates (name, text, type) VALUES (?, ?, ?)');
  template.run('welcome', 'Hoş geldin {{ user.first_name }}! 🎉', 'welcome');
  template.run('join', 'Katılma isteğin alındı', 'invite');
  template.run('faq', 'SSS: https://example.test/faq', 'auto_reply');
  const message = db.prepare('INSERT INTO history (chat_id, user_id, message, date) VALUES (?, ?, ?, ?)');
  message.run(-1001234567890n, 1001, 'Selam herkese', '2023-06-01 18:00:00');
  message.run(-1001234567890n, 5_000_000_001n, '/start', '2023-06-02 10:00:00');
  message.run(1002, 1002, 'שלום', '2022-05-03 11:00:00');
  const setting = db.prepare('INSERT INTO settings VALUES (?, ?)');
  setting.run('timezone', 'Europe/Istanbul');
  setting.run('language', 'tr_TR');
  setting.run('welcome_message', 'Gruba hoş geldin! 👋');
  setting.run('bot_token', '123456:SECRET-TOKEN-NEVER-IMPORTED');
  setting.run('admin_ids', '1001,1002');
  db.prepare('INSERT INTO payments (user_id, amount) VALUES (?, ?)').run(1001, 9.99);
  db.close();
}

/**
 * Everything that breaks naive importers: no primary key (so duplicates), ids as text and
 * beyond 2^31 and 2^53, NULLs and empty strings, five date formats and Unix times, emoji
 * and RTL text, NUL characters, binary values in text columns, over-long templates.
 */
export function buildHostileLegacyDb(file: string): void {
  const db = new Sqlite(file);
  db.exec(`
    CREATE TABLE Users (UserID, UserName TEXT, FirstName TEXT, LastName TEXT, first_seen, last_seen);
    CREATE TABLE config (id INTEGER PRIMARY KEY, timezone TEXT, language TEXT, parse_mode TEXT, welcome_text TEXT, api_hash TEXT, quiet_hours TEXT);
    CREATE TABLE texts (key TEXT, body TEXT, category TEXT);
    CREATE TABLE messages (chat_id, from_id, text, created_at, is_outgoing);
  `);
  const user = db.prepare('INSERT INTO Users VALUES (?, ?, ?, ?, ?, ?)');
  const rows: unknown[][] = [
    [42, '@forty_two', 'Kırk İki', null, '2023-05-01 14:03:09.123456', '2023-05-02T10:00:00Z'],
    ['42', 'forty_two', 'Kırk İki', 'Later', '01.05.2023 14:03', 1_700_000_000],    // same user as text: merged
    [2_147_483_648n, '', '', '', '', ''],                                             // 2^31, empty strings
    [9_007_199_254_740_993n, 'beyond53', '👩‍👩‍👧 family', 'ok', '1682949789123', 1682949789.5], // 2^53+1, ms and float Unix times
    [4_611_686_018_427_387_904n, 'huge', 'Two to the 62', null, null, null],          // 2^62, no dates at all
    [7, 'rtl', 'مرحبا بالعالم', 'שלום', '2023/05/01 14:03', '05/31/2023'],
    [8, 'nul', 'a\u0000b', null, 'yesterday', '2023-02-30'],                          // NUL, unreadable dates
    [9, Buffer.from('binary', 'utf8'), 'Bin', null, 2460066.5, null],                 // BLOB username, julian day
    [10, 'dupe', 'Same', 'Row', '2023-01-01', '2023-01-02'],
    [10, 'dupe', 'Same', 'Row', '2023-01-01', '2023-01-02'],                          // exact duplicate row
    [null, 'nobody', 'No id', null, null, null],
    ['abc', 'letters', 'Not a number', null, null, null],
    [-100123, 'group', 'A group id', null, null, null],
    [0, 'zero', 'Zero', null, null, null],
    ['None', 'none', 'Python None', null, null, null],
  ];
  for (const row of rows) user.run(...row);
  db.prepare('INSERT INTO config VALUES (1, ?, ?, ?, ?, ?, ?)').run('Europe/Istanbul', 'TR', 'Markdown', 'Merhaba! 🐝', 'deadbeef', '22:00-07:00');
  const text = db.prepare('INSERT INTO texts VALUES (?, ?, ?)');
  text.run('greeting', 'Hello 👋', 'welcome');
  text.run('greeting', 'Hello again', 'welcome');           // same kind and name
  text.run('', 'Unnamed text', null);
  text.run('long', 'x'.repeat(5000), 'reply');              // over Telegram's limit
  text.run('blank', '   ', 'reply');
  text.run('n'.repeat(100), 'Long name', 'reply');
  const message = db.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?)');
  message.run(-1009876543210n, 42, 'first', '2023-05-01 10:00:00', 0);
  message.run(-1009876543210n, 42, 'first', '2023-05-01 10:00:00', 0);  // duplicate
  message.run(-1009876543210n, null, 'bot says hi', '2023-05-01 10:00:01', 1);
  message.run(null, 42, 'private', 1_682_935_200, 'false');
  message.run(null, null, 'nowhere', '2023-05-01', 0);
  message.run(-1009876543210n, 42, 'no date', null, 0);
  db.close();
}

/** A legacy table layout nothing recognises by name: imported only through a mapping file. */
export function buildOddLegacyDb(file: string): void {
  const db = new Sqlite(file);
  db.exec(`
    CREATE TABLE clients (tg INTEGER, fname TEXT, nick TEXT, since TEXT);
    CREATE TABLE kv_store (k TEXT, v TEXT);
    CREATE TABLE audit (what TEXT);
  `);
  db.prepare('INSERT INTO clients VALUES (?, ?, ?, ?)').run(777, 'Mapped', 'mapped_user', '2023-01-01 12:00:00');
  db.prepare('INSERT INTO kv_store VALUES (?, ?)').run('greeting_text', 'Mapped welcome');
  db.prepare('INSERT INTO kv_store VALUES (?, ?)').run('tz', 'Europe/Berlin');
  db.prepare('INSERT INTO audit VALUES (?)').run('x');
  db.close();
}
