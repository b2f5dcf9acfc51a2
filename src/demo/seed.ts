import type { Logger } from '../platform/log.js';
import type { Services } from '../http/types.js';
import { logIn, registerAccount } from '../auth/index.js';
import { changePlan } from '../billing/index.js';
import { connectBot } from '../bots/bots.js';
import { listGroups, updateGroup } from '../groups/index.js';
import { createReplyRule, listReplyRules } from '../rules/index.js';
import { createTemplate, listTemplates, type TemplateKind } from '../templates/index.js';
import { grantOperator, updateConfig } from '../tenancy/index.js';
import { Second, sleep } from '../platform/time.js';
import type { DemoWorld } from './demo-world.js';

export const demoLogin = { username: 'demo', email: 'demo@kovan.local', password: 'kovan-demo-2026' };
/** The operator's own login in demo mode: sees the fleet and every tenant. */
export const demoOperatorLogin = { username: 'operator', email: 'operator@kovan.local', password: 'kovan-operator-2026' };

const demoTemplates: Array<{ kind: TemplateKind; name: string; content: string }> = [
  { kind: 'message', name: 'Hoş geldin', content: 'Hoş geldin {first_name}! 🎉 <b>{group_title}</b> grubuna katıldın. Kurallar için /kurallar yaz.' },
  { kind: 'message', name: 'Başlangıç', content: 'Merhaba {first_name}! Ben {bot_username}. Sorularını buraya yazabilirsin.' },
  { kind: 'invite', name: 'Katılma isteği', content: 'Merhaba {first_name}, <b>{group_title}</b> için isteğini aldık. Kısa süre içinde onaylanacak.' },
  { kind: 'reply', name: 'Fiyat', content: '{first_name}, güncel fiyatlarımız: Temel 19,99 $ · Gelişmiş 39,99 $ · Premium 79,99 $.' },
];

/**
 * Seeds the demo tenant: a Premium account with the sandbox bot connected, templates, an
 * auto-reply rule, and the bot added to three sandbox groups. Safe to run on every start:
 * what exists is reused (a sandbox restored from DATA_DIR keeps its groups and people).
 */
export interface DemoCast {
  groups: Array<{ id: number; memberIds: number[] }>;
}

export async function seedDemoTenant(services: Services, world: DemoWorld, log: Logger, signal: AbortSignal): Promise<{ tenantId: string; cast: DemoCast }> {
  const deps = { ...services, trialDays: 0 };
  const seeding = (login: { username: string; password: string }) => ({ login: login.username, password: login.password, ip: 'demo-seed' });
  const signedIn = await logIn(deps, seeding(demoLogin)).catch(() => registerAccount(deps, { ...demoLogin, tenantName: 'Kovan Demo', language: 'tr' }));
  await logIn(deps, seeding(demoOperatorLogin)).catch(() => registerAccount(deps, { ...demoOperatorLogin, tenantName: 'Kovan Operator' }));
  await grantOperator(services.db, demoOperatorLogin.username);
  const tenantId = signedIn.tenantId;
  const templates = await services.db.withTenant(tenantId, async (tx) => {
    await changePlan(tx, 'premium');
    await connectBot(tx, { secrets: services.secrets, apiRoot: world.sandbox.apiRoot }, world.demoBot.token);
    const existing = await listTemplates(tx);
    const byName = new Map(existing.map((t) => [t.name, t]));
    for (const template of demoTemplates) if (!byName.has(template.name)) byName.set(template.name, await createTemplate(tx, template));
    if ((await listReplyRules(tx)).length === 0) {
      await createReplyRule(tx, {
        name: 'Fiyat soruları', triggerType: 'keyword', trigger: 'fiyat, price, ücret', caseSensitive: false, scope: 'both', groupIds: [],
        templateId: byName.get('Fiyat')!.id, priority: 10, cooldownUserSeconds: 30, cooldownChatSeconds: 0, enabled: true,
      });
    }
    await updateConfig(tx, 'start_template_id', byName.get('Başlangıç')!.id);
    await updateConfig(tx, 'time_zone', 'Europe/Istanbul');
    await updateConfig(tx, 'language', 'tr');
    return byName;
  });

  const known = world.sandbox.groupsOfBot(world.demoBot.id);
  if (known.length > 0) return { tenantId, cast: { groups: known.map(({ id, memberIds }) => ({ id, memberIds })) } };

  const people = ['Ayşe', 'Mehmet', 'Zeynep', 'Can', 'Elif', 'Burak'].map((firstName, i) =>
    world.sandbox.createUser({ firstName, username: `${firstName.toLowerCase().replace(/[^a-z]/g, '')}${i}`, languageCode: 'tr' }));
  const members = [people.slice(0, 4), people.slice(2, 6), people].map((list) => list.map((p) => p.id));
  const groups = [
    world.sandbox.createGroup({ title: 'Kovan Topluluk', type: 'supergroup', memberIds: members[0] }),
    world.sandbox.createGroup({ title: 'Satış Destek', type: 'group', memberIds: members[1] }),
    world.sandbox.createGroup({ title: 'Duyurular', type: 'supergroup', memberIds: members[2] }),
  ];
  for (const group of groups) world.sandbox.addBotToGroup(world.demoBot.id, group.id, { admin: true, canInviteUsers: true, canDeleteMessages: true });

  // The bot's session discovers the groups from Telegram's updates; then they get their settings.
  void configureGroupsWhenSeen(services, tenantId, groups.length, {
    welcomeTemplateId: templates.get('Hoş geldin')!.id, inviteTemplateId: templates.get('Katılma isteği')!.id,
  }, signal).catch((error) => { if (!signal.aborted) log.warn({ err: error }, 'demo groups could not be configured'); });
  return { tenantId, cast: { groups: groups.map((g, i) => ({ id: g.id, memberIds: [...members[i]!] })) } };
}

async function configureGroupsWhenSeen(services: Services, tenantId: string, expected: number, settings: { welcomeTemplateId: string; inviteTemplateId: string }, signal: AbortSignal): Promise<void> {
  for (let attempt = 0; attempt < 60 && !signal.aborted; attempt++) {
    const groups = await services.db.withTenant(tenantId, (tx) => listGroups(tx));
    const unconfigured = groups.filter((g) => !g.settings.welcomeTemplateId);
    if (groups.length >= expected && unconfigured.length === 0) return;
    for (const group of unconfigured) {
      await services.db.withTenant(tenantId, (tx) => updateGroup(tx, group.id, { settings: { ...settings, welcomeEnabled: true, joinRequestAction: 'approve', autoReply: true } }));
    }
    await sleep(Second, signal);
  }
}
