import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { addTeammate, invitationTokenFor, uniqueName, newTenant, randomClient, type Session } from '../helpers/rest-api.js';

/** Team management: invitations by e-mail, accepting, roles, the last-owner rule. */
let api: TestApi;
let owner: Awaited<ReturnType<typeof newTenant>>;

before(async () => {
  api = await startTestApi();
  owner = await newTenant(api, 'team');
});
after(async () => { await api.close(); });

test('invite by e-mail, accept once, and the new member is signed in with the invited role', async () => {
  const email = `${uniqueName('new')}@example.test`;
  const invited = await api.request('POST', '/api/members/invitations', { token: owner.token, body: { email, role: 'admin' } });
  assert.equal(invited.status, 201, invited.text);
  assert.equal(invited.body.invitation.status, 'pending');
  assert.equal(invited.body.emailSent, true);
  assert.ok(!invited.text.includes('kvi_'), 'the token travels only by e-mail');
  const token = await invitationTokenFor(api, email);

  const username = uniqueName('joiner');
  const accepted = await api.request('POST', '/api/members/invitations/accept', { body: { token, username, password: 'correct horse battery staple' }, headers: { 'x-forwarded-for': randomClient() } });
  assert.equal(accepted.status, 201, accepted.text);
  assert.equal(accepted.body.tenantId, owner.tenantId);
  assert.equal(accepted.body.member.role, 'admin');
  assert.equal(accepted.body.member.email, email);
  const me = await api.request('GET', '/api/auth/me', { token: accepted.body.token });
  assert.equal(me.body.member.username, username);

  const again = await api.request('POST', '/api/members/invitations/accept', { body: { token, username: uniqueName('twice'), password: 'correct horse battery staple' }, headers: { 'x-forwarded-for': randomClient() } });
  assert.equal(again.status, 400);
  assert.equal(again.body.fields[0].field, 'token');
  const status = await api.request('GET', `/api/members/invitations/${invited.body.invitation.id}`, { token: owner.token });
  assert.equal(status.body.invitation.status, 'accepted');
  assert.equal(status.body.invitation.acceptedMemberId, accepted.body.member.id);

  const login = await api.request('POST', '/api/auth/login', { body: { username, password: 'correct horse battery staple' }, headers: { 'x-forwarded-for': randomClient() } });
  assert.equal(login.status, 200, 'the new member logs in like anyone');
});

test('a withdrawn invitation no longer works; inviting again replaces the open one', async () => {
  const email = `${uniqueName('wd')}@example.test`;
  const first = await api.request('POST', '/api/members/invitations', { token: owner.token, body: { email, role: 'viewer' } });
  const firstToken = await invitationTokenFor(api, email);
  await new Promise((r) => setTimeout(r, 5));
  const second = await api.request('POST', '/api/members/invitations', { token: owner.token, body: { email, role: 'viewer' } });
  const secondToken = await invitationTokenFor(api, email);
  assert.notEqual(firstToken, secondToken);
  assert.equal((await api.request('GET', `/api/members/invitations/${first.body.invitation.id}`, { token: owner.token })).body.invitation.status, 'revoked');
  const withdrawn = await api.request('DELETE', `/api/members/invitations/${second.body.invitation.id}`, { token: owner.token });
  assert.equal(withdrawn.body.invitation.status, 'revoked');
  for (const token of [firstToken, secondToken]) {
    const r = await api.request('POST', '/api/members/invitations/accept', { body: { token, username: uniqueName('late'), password: 'correct horse battery staple' }, headers: { 'x-forwarded-for': randomClient() } });
    assert.equal(r.status, 400);
  }
});

test('addresses that already have a login cannot be invited; taken usernames cannot accept', async () => {
  const r = await api.request('POST', '/api/members/invitations', { token: owner.token, body: { email: owner.email, role: 'viewer' } });
  assert.equal(r.status, 409);
  assert.equal(r.body.fields[0].field, 'email');
  const email = `${uniqueName('dup')}@example.test`;
  await api.request('POST', '/api/members/invitations', { token: owner.token, body: { email, role: 'viewer' } });
  const token = await invitationTokenFor(api, email);
  const taken = await api.request('POST', '/api/members/invitations/accept', { body: { token, username: owner.username, password: 'correct horse battery staple' }, headers: { 'x-forwarded-for': randomClient() } });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.fields[0].field, 'username');
  const weak = await api.request('POST', '/api/members/invitations/accept', { body: { token, username: uniqueName('weak'), password: 'password' }, headers: { 'x-forwarded-for': randomClient() } });
  assert.equal(weak.status, 400);
  assert.equal(weak.body.fields[0].field, 'password');
});

test('members list with cursor pagination', async () => {
  const tenant = await newTenant(api, 'teampage');
  for (let i = 0; i < 3; i++) await addTeammate(api, tenant, 'viewer');
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await api.request('GET', `/api/members?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: tenant.token });
    assert.equal(page.status, 200, page.text);
    assert.ok(page.body.items.length <= 2);
    seen.push(...page.body.items.map((m: { id: string }) => m.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  assert.equal(seen.length, 4);
  assert.equal(new Set(seen).size, 4);
  assert.ok(!JSON.stringify(seen).includes('password'));
});

test('the last owner can be neither demoted nor removed; with two owners one may go', async () => {
  const tenant = await newTenant(api, 'lastowner');
  const demote = await api.request('PATCH', `/api/members/${tenant.memberId}`, { token: tenant.token, body: { role: 'admin' } });
  assert.equal(demote.status, 409);
  assert.match(demote.body.detail, /last owner/);
  const remove = await api.request('DELETE', `/api/members/${tenant.memberId}`, { token: tenant.token });
  assert.equal(remove.status, 409);

  const second = await addTeammate(api, tenant, 'owner');
  const demoteFirst = await api.request('PATCH', `/api/members/${tenant.memberId}`, { token: second.token, body: { role: 'viewer' } });
  assert.equal(demoteFirst.status, 200, demoteFirst.text);
  const removeSecondBySelf = await api.request('DELETE', `/api/members/${second.memberId}`, { token: second.token });
  assert.equal(removeSecondBySelf.status, 409, 'now the second is the last owner');
});

test('removing a member ends their sessions', async () => {
  const mate = await addTeammate(api, owner, 'viewer');
  assert.equal((await api.request('GET', '/api/auth/me', { token: mate.token })).status, 200);
  const removed = await api.request('DELETE', `/api/members/${mate.memberId}`, { token: owner.token });
  assert.equal(removed.status, 204);
  assert.equal((await api.request('GET', '/api/auth/me', { token: mate.token })).status, 401);
  assert.equal((await api.request('GET', `/api/members/${mate.memberId}`, { token: owner.token })).status, 404);
  const audit = await api.request('GET', `/api/audit-log?action=member.removed&entity_id=${mate.memberId}`, { token: owner.token });
  assert.equal(audit.body.items.length, 1);
  assert.equal(audit.body.items[0].before.email, mate.email);
});
