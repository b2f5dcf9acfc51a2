import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TelegramClient } from '../../src/bots/telegram-client.js';
import { updateGroup } from '../../src/groups/index.js';
import { createTemplate } from '../../src/templates/index.js';
import { eventually } from '../helpers/processes.js';
import { startRuntime, type Runtime, type RuntimeTenant } from '../helpers/runtime.js';

/** A welcome's variables, end to end through the sandbox. */
let rt: Runtime;
let tenant: RuntimeTenant;

before(async () => {
  rt = await startRuntime();
  tenant = await rt.tenant({ plan: 'premium' });
  await rt.api.services.db.withTenant(tenant.tenantId, async (tx) => {
    const welcome = await createTemplate(tx, { kind: 'message', name: 'welcome', content: 'Welcome {first_name}, you are member number {member_count}!' });
    await updateGroup(tx, tenant.groupId, { settings: { welcomeTemplateId: welcome.id, welcomeEnabled: true } });
  });
});
after(async () => { await rt.close(); });

test('{member_count} in a welcome counts the newcomer', async () => {
  await eventually(async () => rt.api.services.db.withTenant(tenant.tenantId, async (tx) =>
    (await tx.query<{ member_count: number | null }>(`SELECT member_count FROM groups WHERE id = $1`, [tenant.groupId])).rows[0]!.member_count), 15_000, 'the member count from Telegram');
  const person = rt.sandbox.createUser({ firstName: 'Newcomer' });
  rt.sandbox.userJoins(person.id, tenant.bot.groupChatId);
  const welcome = await eventually(async () => rt.sandbox.chatMessages(tenant.bot.groupChatId)
    .find((m) => m.from?.id === tenant.bot.telegramBotId && m.text?.startsWith('Welcome Newcomer')), 15_000, 'the welcome');
  const members = await new TelegramClient(tenant.bot.token, rt.sandbox.apiRoot).getChatMemberCount(tenant.bot.groupChatId);
  assert.equal(welcome.text, `Welcome Newcomer, you are member number ${members}!`);
});
