/**
 * Plans and payments through the Mini App, against a real Kovan: a tenant owner downgrades
 * (after confirming; a group over the new limit pauses), requests an upgrade, withdraws it,
 * requests it again; an operator finds the tenant in the Operator area, confirms the request
 * with a payment reference (the tenant then has the plan and a paid row), and rejects a later
 * request with a reason the tenant reads in its history. Members who are not owners see the
 * plans without the buttons that change them.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { registerTenant } from '../helpers/api.js';
import { addTeammate, setPlan } from '../helpers/rest-api.js';
import { apiAndBrowser, openApp } from './browser.js';

const env = apiAndBrowser();

/** Logs in through the Mini App's form; resolves when the dashboard shows. */
async function logIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.getByLabel('Username or e-mail').fill(who.username);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}

/** Opens Subscription the way a member does, from Settings (the screen mounts afresh and reads the plan again). */
async function subscriptionScreen(page: Page): Promise<void> {
  await page.goto(`${env.api.url}/#/settings`);
  await page.getByRole('link', { name: 'Subscription' }).click();
  await page.getByRole('heading', { name: 'Subscription' }).waitFor();
  await page.getByTestId('plans').waitFor();
  await page.getByTestId('payments').or(page.getByText('No payments yet.')).waitFor();
}

const planCard = (page: Page, name: string): Locator => page.getByRole('article', { name, exact: true });
const paymentRows = (page: Page, status: string): Locator => page.locator(`[data-testid=payments] tbody tr[data-status=${status}]`);

async function storedPlan(tenantId: string): Promise<string> {
  return env.api.services.db.withTenant(tenantId, async (tx) =>
    (await tx.query<{ plan_code: string }>(`SELECT plan_code FROM subscriptions WHERE status <> 'cancelled'`)).rows[0]!.plan_code);
}

async function pausedGroups(tenantId: string): Promise<number> {
  return env.api.services.db.withTenant(tenantId, async (tx) =>
    Number((await tx.query<{ n: string }>(`SELECT count(*) AS n FROM groups WHERE paused_reason IS NOT NULL AND removed_at IS NULL`)).rows[0]!.n));
}

/** An operator: the owner of a tenant marked as the operator's. */
async function newOperator() {
  const operator = await registerTenant(env.api, 'op');
  await env.api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET is_operator = true WHERE id = $1`, [operator.tenantId]));
  return operator;
}

/** In the Operator area: searches the tenant by name and opens its plan panel. */
async function openTenantPanel(page: Page, name: string): Promise<Locator> {
  await page.goto(`${env.api.url}/#/settings`);
  await page.getByRole('link', { name: 'Operator' }).click();
  await page.getByRole('heading', { name: 'Operator' }).waitFor();
  await page.getByLabel('Search tenants by name').fill(name.slice(0, -2));
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const rows = page.getByTestId('tenant-row');
  await rows.filter({ hasText: name }).waitFor();
  // The search narrowed the list to this tenant (the operator's own tenant and others are out).
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=tenant-row]').length === 1, undefined, { timeout: 10_000 });
  const row = rows.filter({ hasText: name });
  await row.getByRole('button', { name: /Change plan/ }).click();
  const panel = page.getByTestId('tenant-plan-panel');
  await panel.getByRole('heading', { name: `Plan of ${name}` }).waitFor();
  return panel;
}

test('owner downgrades after confirming, requests an upgrade, withdraws and renews it; the operator confirms one request and rejects another', async () => {
  const owner = await registerTenant(env.api, 'bill');
  const tenantName = `Fırın ${process.pid}x${randomInt(1e6)}zz`;
  await env.api.services.db.withOwner((tx) => tx.query(`UPDATE tenants SET name = $2 WHERE id = $1`, [owner.tenantId, tenantName]));
  await setPlan(env.api, owner.tenantId, 'advanced');
  // Six groups: Basic allows five, so the downgrade pauses one.
  await env.api.services.db.withTenant(owner.tenantId, async (tx) => {
    for (let i = 0; i < 6; i++) {
      await tx.query(
        `INSERT INTO groups (tenant_id, bot_id, chat_id, type, title, bot_status, added_at)
         VALUES ($1, gen_random_uuid(), $2, 'supergroup', $3, 'administrator', now() - $4 * interval '1 minute')`,
        [owner.tenantId, -1_000_000_000_000 - randomInt(1e9), `Grup ${i + 1}`, 10 - i]);
    }
  });

  const tenantApp = await openApp(env.browser, env.api.url, { hash: '#/login' });
  const page = tenantApp.page;
  await logIn(page, owner);
  await subscriptionScreen(page);
  assert.equal(await page.getByTestId('current-plan').innerText(), 'Advanced', 'the screen starts on the stored plan');

  // Downgrade: asks first, with the consequence; nothing changes until confirmed.
  await planCard(page, 'Basic').getByRole('button', { name: 'Switch to this plan' }).click();
  const question = planCard(page, 'Basic').getByRole('group');
  await question.waitFor();
  assert.match(await question.innerText(), /limit of 5 are paused/, 'the question says what the downgrade does to groups');
  assert.equal(await storedPlan(owner.tenantId), 'advanced', 'nothing changes before the downgrade is confirmed');
  await question.getByRole('button', { name: 'Yes, Switch to this plan' }).click();
  await page.getByTestId('current-plan').filter({ hasText: /^Basic$/ }).waitFor();
  const downgraded = await page.getByTestId('plan-outcome').innerText();
  assert.match(downgraded, /Your plan is now Basic\./, 'the change is said in words');
  assert.match(downgraded, /1 group was paused/, 'the paused group is counted');
  assert.equal(await storedPlan(owner.tenantId), 'basic', 'the downgrade is stored');
  assert.equal(await pausedGroups(owner.tenantId), 1, 'one group is over the Basic limit');

  // Upgrade: a request the operator confirms; the plan stays until then.
  await planCard(page, 'Premium').getByRole('button', { name: 'Upgrade' }).click();
  await page.getByTestId('pending-request').waitFor();
  assert.match(await page.getByTestId('plan-outcome').innerText(), /awaits the operator’s confirmation/, 'the wait for the operator is said');
  assert.match(await page.getByTestId('pending-request').innerText(), /Premium/, 'the pending request names its plan');
  await paymentRows(page, 'pending').filter({ hasText: 'Pending' }).filter({ hasText: 'Premium' }).waitFor();
  assert.equal(await page.getByTestId('current-plan').innerText(), 'Basic', 'the plan does not change before the operator confirms');
  assert.equal(await planCard(page, 'Premium').getByRole('button', { name: 'Upgrade' }).count(), 0, 'the requested plan shows as requested, not as a button');

  // Withdraw it.
  await page.getByTestId('pending-request').getByRole('button', { name: 'Cancel request' }).click();
  await page.getByTestId('pending-request').waitFor({ state: 'detached' });
  await paymentRows(page, 'cancelled').filter({ hasText: 'Cancelled' }).filter({ hasText: 'Premium' }).waitFor();
  assert.equal(await paymentRows(page, 'pending').count(), 0, 'no request is left pending');
  assert.match(await page.getByTestId('plan-outcome').innerText(), /request is cancelled/, 'the withdrawal is said');
  assert.match(await paymentRows(page, 'cancelled').first().innerText(), /Reason: withdrawn by you/, 'the reason in the reader\'s words');

  // Ask again.
  await planCard(page, 'Premium').getByRole('button', { name: 'Upgrade' }).click();
  await page.getByTestId('pending-request').waitFor();
  await paymentRows(page, 'pending').filter({ hasText: 'Premium' }).waitFor();

  // The operator finds the tenant, sees the request and confirms it with a payment reference.
  const operator = await newOperator();
  const operatorApp = await openApp(env.browser, env.api.url, { hash: '#/login' });
  const op = operatorApp.page;
  await logIn(op, operator);
  let panel = await openTenantPanel(op, tenantName);
  const row = op.getByTestId('tenant-row').filter({ hasText: tenantName });
  assert.match(await row.innerText(), /Premium requested/, 'the row shows the pending request');
  assert.match(await row.innerText(), /Basic/, 'the row shows the plan in force');
  assert.equal(await panel.getByLabel('Plan', { exact: true }).inputValue(), 'premium', 'the requested plan is preselected');
  assert.match(await panel.getByTestId('tenant-pending').innerText(), /Premium/, 'the panel says what was requested');

  // The API's field error sits by its field.
  const groupLimit = panel.getByLabel('Custom group limit');
  await groupLimit.fill('0');
  await panel.getByRole('button', { name: 'Confirm request' }).click();
  await panel.locator('.field.invalid').first().waitFor();
  assert.equal(await groupLimit.getAttribute('aria-invalid'), 'true', 'the group limit field is marked');
  const groupLimitError = (await groupLimit.getAttribute('aria-describedby'))!.split(' ').at(-1)!;
  assert.ok((await op.locator(`[id="${groupLimitError}"]`).innerText()).trim().length > 0, 'the API\'s message sits by the group limit field');
  assert.equal(await storedPlan(owner.tenantId), 'basic', 'a refused change changes nothing');
  await groupLimit.fill('');
  await panel.getByLabel(/Payment reference/).fill('INV-2026-0042');
  await panel.getByLabel(/Amount paid/).fill('79.99');
  await panel.getByRole('button', { name: 'Confirm request' }).click();
  await op.getByTestId('operator-outcome').filter({ hasText: `${tenantName} is now on the Premium plan.` }).waitFor();
  await op.getByTestId('tenant-plan-panel').waitFor({ state: 'detached' });
  await eventually(async () => !/requested/.test(await row.innerText()), 'the row loses its pending badge');
  assert.equal(await storedPlan(owner.tenantId), 'premium', 'the confirmed plan is stored');

  // The tenant has the plan and a paid row with the reference.
  await subscriptionScreen(page);
  await page.getByTestId('current-plan').filter({ hasText: /^Premium$/ }).waitFor();
  const paid = paymentRows(page, 'paid');
  assert.equal(await paid.count(), 1, 'one paid row');
  const paidText = await paid.innerText();
  assert.match(paidText, /Paid/, 'the status is in words');
  assert.match(paidText, /INV-2026-0042/, 'the operator\'s reference is shown');
  assert.match(paidText, /79\.99/, 'the amount paid is shown');
  assert.equal(await page.getByTestId('pending-request').count(), 0, 'nothing is pending any more');

  // An Enterprise request (custom price) that the operator rejects, saying why.
  await planCard(page, 'Enterprise').getByRole('button', { name: 'Upgrade' }).click();
  await page.getByTestId('pending-request').waitFor();
  assert.match(await paymentRows(page, 'pending').innerText(), /custom price/, 'an Enterprise request has no price yet');

  panel = await openTenantPanel(op, tenantName);
  assert.equal(await panel.getByLabel('Plan', { exact: true }).inputValue(), 'enterprise', 'the Enterprise request is preselected');
  await panel.getByRole('button', { name: 'Confirm request' }).click();
  const messagesPerDay = panel.getByLabel('Custom messages per day');
  await panel.locator('.field.invalid').first().waitFor();
  assert.equal(await messagesPerDay.getAttribute('aria-invalid'), 'true', 'Enterprise without a daily limit is refused by that field');
  await panel.getByRole('button', { name: 'Reject request' }).click();
  const reason = panel.getByLabel('Reason (the tenant sees it)');
  await panel.locator('.reject .field.invalid').waitFor();
  assert.equal(await reason.getAttribute('aria-invalid'), 'true', 'a rejection needs a reason, said by its field');
  await reason.fill('We need a signed contract first');
  await panel.getByRole('button', { name: 'Reject request' }).click();
  await op.getByTestId('operator-outcome').filter({ hasText: 'is rejected' }).waitFor();
  assert.equal(await storedPlan(owner.tenantId), 'premium', 'a rejected request leaves the plan as it was');

  await subscriptionScreen(page);
  await page.getByTestId('current-plan').filter({ hasText: /^Premium$/ }).waitFor();
  const rejected = paymentRows(page, 'cancelled').filter({ hasText: 'Enterprise' });
  assert.equal(await rejected.count(), 1, 'the rejected request is in the history');
  assert.match(await rejected.innerText(), /Reason: We need a signed contract first/, 'with the operator\'s reason');
  assert.equal(await page.getByTestId('pending-request').count(), 0, 'nothing is pending after the rejection');

  // The operator pins the tenant to a dedicated worker pool (a bad name is refused by its field).
  panel = await openTenantPanel(op, tenantName);
  const poolField = panel.getByLabel('Pool', { exact: true });
  assert.equal(await poolField.inputValue(), 'shared', 'tenants start on the shared pool');
  await poolField.fill('Not A Pool');
  await panel.getByRole('button', { name: 'Move to this pool' }).click();
  await panel.locator('.pool .field.invalid').waitFor();
  await poolField.fill('vip-bakery');
  await panel.getByRole('button', { name: 'Move to this pool' }).click();
  await op.getByTestId('operator-outcome').filter({ hasText: `${tenantName} now runs on the vip-bakery pool.` }).waitFor();
  await op.getByTestId('tenant-row').filter({ hasText: tenantName }).getByTestId('tenant-pool').filter({ hasText: 'vip-bakery' }).waitFor();
  const storedPool = await env.api.services.db.withTenant(owner.tenantId, async (tx) => (await tx.query<{ worker_pool: string }>('SELECT worker_pool FROM tenants')).rows[0]!.worker_pool);
  assert.equal(storedPool, 'vip-bakery', 'the pool is stored');

  assert.deepEqual(tenantApp.errors, [], 'no script errors on the tenant\'s side');
  assert.deepEqual(operatorApp.errors, [], 'no script errors on the operator\'s side');
  await tenantApp.context.close();
  await operatorApp.context.close();
});

test('members who are not owners see the plans and a pending request without the buttons that change them', async () => {
  const owner = await registerTenant(env.api, 'own');
  await setPlan(env.api, owner.tenantId, 'advanced');
  const requested = await env.api.request('POST', '/api/subscription/change', { token: owner.token, body: { plan: 'premium' } });
  assert.equal(requested.status, 202, `the owner's upgrade is a request: ${requested.text}`);
  const admin = await addTeammate(env.api, owner, 'admin');

  const { page, context, errors } = await openApp(env.browser, env.api.url, { hash: '#/login' });
  await logIn(page, { username: admin.username, password: 'correct horse battery staple' });
  await subscriptionScreen(page);
  await page.getByTestId('pending-request').waitFor();
  assert.equal(await page.getByTestId('current-plan').innerText(), 'Advanced', 'the admin sees the plan in force');
  assert.match(await page.getByTestId('owners-only').innerText(), /Only owners/, 'the admin is told who changes the plan');
  assert.equal(await page.getByTestId('plans').getByRole('button').count(), 0, 'no plan button for an admin');
  assert.equal(await page.getByTestId('pending-request').getByRole('button').count(), 0, 'no cancel button for an admin');
  assert.equal(await planCard(page, 'Basic').count(), 1, 'the plans are still shown');

  // Not an operator's member: the Operator area says so and lists no tenant.
  await page.goto(`${env.api.url}/#/operator`);
  await page.getByText('Only the admins and owners of the operator account see this area.').waitFor();
  assert.equal(await page.getByTestId('tenants').count(), 0, 'no tenant list outside the operator account');
  assert.deepEqual(errors, [], 'no script errors');
  await context.close();
});

/** Polls `check` until it holds (every 100 ms, up to 10 s). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`timed out: ${what}`);
}
