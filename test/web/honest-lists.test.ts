/**
 * What the Mini App says must be true: a refused field's error goes once the field changes,
 * a weak password is refused in the person's words, texts Kovan sent show as Telegram shows
 * them (not as markup) with who wrote where, and a broadcast nobody received says Failed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually } from '../helpers/processes.js';
import { insertBot, insertGroup } from '../delivery/fixtures.js';
import { apiAndBrowser, newPerson, openApp } from './browser.js';

const env = apiAndBrowser();

test('a weak password is refused in words, its error goes when the field changes; activity, posts and outcome show text, not markup', async () => {
  const person = newPerson('honest');
  const { page, context, errors } = await openApp(env.browser, env.api.url, { hash: '#/register' });
  await page.getByLabel('Username', { exact: true }).fill(person.username);
  await page.getByLabel('E-mail').fill(person.email);
  const password = page.getByLabel('Password', { exact: true });
  await password.fill('password123');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('This password is too easy to guess').waitFor();
  assert.ok(await page.getByText('It is a commonly used password.').isVisible(), 'zxcvbn’s warning, worded from the dictionary');
  await password.fill('password1234');
  await page.getByText('This password is too easy to guess').waitFor({ state: 'hidden' });
  assert.equal(await password.getAttribute('aria-invalid'), null, 'the changed field is no longer marked');

  await password.fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

  const db = env.api.services.db;
  const tenantId = await db.withOwner(async (tx) => (await tx.query<{ tenant_id: string }>(`SELECT tenant_id FROM members WHERE username = $1`, [person.username])).rows[0]!.tenant_id);
  const botId = await insertBot(db, tenantId, 7_400_000_000 + (process.pid % 100_000), `h${process.pid}_bot`);
  const groupId = await insertGroup(db, tenantId, botId, -4_200_001, 'Bakery Fans');
  await db.withTenant(tenantId, async (tx) => {
    await tx.query(`INSERT INTO tg_users (tenant_id, user_id, first_name, last_name) VALUES ($1, 5100, 'Ayşe', 'Yılmaz')`, [tenantId]);
    await tx.query(`INSERT INTO messages (tenant_id, bot_id, chat_id, chat_type, user_id, direction, kind, text, status, at)
                    VALUES ($1, $2, -4200001, 'supergroup', 5100, 'in', 'text', 'I typed <b> myself', 'received', now() - interval '1 minute'),
                           ($1, $2, -4200001, 'supergroup', NULL, 'out', 'welcome', '<b>Welcome</b> to <a href="https://x.example">Bakery</a> &lt;script&gt;', 'sent', now())`,
    [tenantId, botId]);
  });
  await page.reload();
  const activity = page.getByTestId('activity');
  await activity.getByText('Welcome to Bakery <script>').waitFor();
  const text = await activity.innerText();
  assert.ok(!text.includes('<b>Welcome') && !text.includes('&lt;') && !text.includes('href'), text);
  assert.match(text, /Ayşe Yılmaz wrote in Bakery Fans “I typed <b> myself”/, 'people’s own text stays as typed, with who and where');
  assert.match(text, /Sent to Bakery Fans/);

  const paused = await env.api.request('PATCH', `/api/groups/${groupId}`, { token: await sessionToken(context), body: { enabled: false } });
  assert.equal(paused.status, 200, paused.text);
  const sent = await env.api.request('POST', '/api/broadcasts', { token: await sessionToken(context), body: { text: '<b>Big</b> news for {group_title}', parse_mode: 'HTML', group_ids: [groupId] } });
  assert.equal(sent.status, 201, sent.text);
  await page.goto(`${env.api.url}/#/delivery`);
  const list = page.getByTestId('delivery-broadcast');
  await list.getByText('Big news for {group_title}').waitFor();
  assert.ok(!(await list.innerText()).includes('<b>'), 'the post shows as text');
  await list.getByText('Failed', { exact: true }).waitFor();
  await list.getByText(/1 not delivered, 0 sent/).click();
  await list.getByText(/Bakery Fans: not sent — group_paused/).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

/** The signed-in browser's session token (the cookie), to play a second client of the same login. */
async function sessionToken(context: import('playwright-core').BrowserContext): Promise<string> {
  return eventually(async () => (await context.cookies()).find((c) => c.name === 'kovan_session')?.value, 5_000, 'the session cookie');
}
