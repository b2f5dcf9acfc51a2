import Sqlite from 'better-sqlite3';

/**
 * A legacy `users` table of `rows` rows in the old bot's exact schema, with the variety a
 * real one has: ids beyond 2^31, missing usernames, emoji and RTL names, dates as Python
 * wrote them and as Unix times. Deterministic, so runs compare.
 */
export function buildLegacyUsers(file: string, rows: number): void {
  const db = new Sqlite(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec('CREATE TABLE users (user_id INTEGER PRIMARY KEY, username TEXT, first_name TEXT, last_name TEXT, first_seen TIMESTAMP, last_seen TIMESTAMP)');
  const insert = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)');
  const names = ['Ayşe', 'Mehmet', 'Zeynep 🐝', 'محمد', 'יוסף', 'Ольга', 'Li Wei', 'Ana-María'];
  const base = Date.UTC(2021, 0, 1) / 1000;
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const firstSeen = base + ((i * 7919) % 63_072_000);
      insert.run(
        1_000_000_000 + i * 7, // crosses 2^31 after ~164k rows
        i % 5 === 0 ? null : `user_${i}`,
        names[i % names.length],
        i % 3 === 0 ? null : `Soyad ${i % 1000}`,
        i % 2 === 0 ? new Date(firstSeen * 1000).toISOString().replace('T', ' ').slice(0, 19) : firstSeen,
        i % 4 === 0 ? null : new Date((firstSeen + 86_400) * 1000).toISOString().replace('T', ' ').replace('Z', ''),
      );
    }
  })();
  db.close();
}
