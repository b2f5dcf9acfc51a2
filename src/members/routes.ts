import { z } from 'zod';
import { passwordLength, sessionAbsoluteTimeout, sessionCookie } from '../auth/index.js';
import type { Api, Services } from '../http/types.js';
import { pageByCreation, pageQuery } from '../http/pagination.js';
import { Hour, Minute } from '../platform/time.js';
import { acceptInvitation, getInvitation, inviteMember, listInvitations, revokeInvitation } from './invitations.js';
import { changeMemberRole, getMember, listMembers, removeMember } from './members.js';
import { signedInSchema } from '../auth/contract.js';
import { noContent } from '../http/response-contract.js';
import { pageOf } from '../platform/contract.js';
import { invitationSchema, teamMemberSchema } from './contract.js';

const id = z.strictObject({ id: z.uuid() });
const role = z.enum(['owner', 'admin', 'viewer']);
const oneInvitation = z.object({ invitation: invitationSchema });
const oneMember = z.object({ member: teamMemberSchema });

/**
 * The team: members and their roles, invitations by e-mail, and the public accept step.
 * Everyone reads the member list; only owners invite, change roles and remove, and the
 * last owner can be neither demoted nor removed.
 */
export function memberRoutes(api: Api, services: Services): void {
  api.get('/api/members', {
    schema: { summary: 'The team: members and their roles', tags: ['members'], querystring: z.strictObject(pageQuery), response: { 200: pageOf(teamMemberSchema) } },
  }, async (request) => {
    const all = await services.db.withTenant(request.principal!.tenantId, (tx) => listMembers(tx));
    return pageByCreation(all, request.query.cursor, request.query.limit);
  });

  api.get('/api/members/invitations', {
    schema: { summary: 'Invitations sent, with their status', tags: ['members'], querystring: z.strictObject(pageQuery), response: { 200: pageOf(invitationSchema) } },
    config: { auth: 'owner' },
  }, async (request) => {
    const all = await services.db.withTenant(request.principal!.tenantId, (tx) => listInvitations(tx));
    return pageByCreation(all, request.query.cursor, request.query.limit);
  });

  api.post('/api/members/invitations', {
    schema: {
      summary: 'Invite a teammate by e-mail with a role; the e-mail carries a single-use link valid for 7 days',
      tags: ['members'],
      body: z.strictObject({ email: z.email().max(254), role }),
      response: { 201: oneInvitation.extend({ emailSent: z.boolean() }) },
    },
    config: { auth: 'owner', example: { email: 'teammate@example.com', role: 'viewer' }, rateLimit: { max: 30, windowMs: Hour, key: 'principal' } },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    const { invitation, token } = await services.db.withTenant(tenantId, (tx) => inviteMember(tx, request.body, memberId));
    const link = `${services.appUrl.replace(/\/$/, '')}/#/accept-invitation?token=${encodeURIComponent(token)}`;
    let emailSent = true;
    try {
      await services.mailer.send({
        to: invitation.email,
        subject: 'You are invited to a Kovan team',
        text: `You have been invited to join a Kovan account as ${invitation.role}.\n\n` +
          `Open this link within 7 days to choose a username and password:\n${link}\n\n` +
          `If you did not expect this, ignore this e-mail.`,
      });
    } catch (error) {
      emailSent = false;
      request.log.error({ err: error }, 'invitation e-mail failed');
    }
    return reply.status(201).send({ invitation, emailSent });
  });

  api.post('/api/members/invitations/accept', {
    schema: {
      summary: 'Accept an invitation: choose a username and password; signs the new member in',
      tags: ['members'],
      body: z.strictObject({
        token: z.string().min(10).max(200),
        username: z.string().trim().toLowerCase().regex(/^[a-z0-9_.-]{3,32}$/, '3–32 characters: letters, digits, _ . -'),
        password: z.string().min(1).max(passwordLength.max),
      }),
      response: { 201: signedInSchema },
    },
    config: { auth: 'public', rateLimit: { max: 20, windowMs: Minute } },
  }, async (request, reply) => {
    const signedIn = await acceptInvitation({ db: services.db, hasher: services.hasher }, request.body, request.headers['user-agent']);
    reply.setCookie(sessionCookie, signedIn.token, {
      httpOnly: true, sameSite: 'lax', secure: services.config.production, path: '/', maxAge: sessionAbsoluteTimeout / 1000,
    });
    return reply.status(201).send({ token: signedIn.token, tenantId: signedIn.tenantId, member: signedIn.member });
  });

  api.get('/api/members/invitations/:id', {
    schema: { summary: 'One invitation', tags: ['members'], params: id, response: { 200: oneInvitation } },
    config: { auth: 'owner', resource: 'invitation' },
  }, async (request) => ({ invitation: await services.db.withTenant(request.principal!.tenantId, (tx) => getInvitation(tx, request.params.id)) }));

  api.delete('/api/members/invitations/:id', {
    schema: { summary: 'Withdraw an invitation; its link stops working', tags: ['members'], params: id, response: { 200: oneInvitation } },
    config: { auth: 'owner', resource: 'invitation' },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return { invitation: await services.db.withTenant(tenantId, (tx) => revokeInvitation(tx, request.params.id, memberId)) };
  });

  api.get('/api/members/:id', {
    schema: { summary: 'One member', tags: ['members'], params: id, response: { 200: oneMember } },
    config: { resource: 'member' },
  }, async (request) => ({ member: await services.db.withTenant(request.principal!.tenantId, (tx) => getMember(tx, request.params.id)) }));

  api.patch('/api/members/:id', {
    schema: { summary: 'Change a member’s role (the last owner cannot be demoted)', tags: ['members'], params: id, body: z.strictObject({ role }), response: { 200: oneMember } },
    config: { auth: 'owner', resource: 'member', example: { role: 'owner' } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return { member: await services.db.withTenant(tenantId, (tx) => changeMemberRole(tx, request.params.id, request.body.role, memberId)) };
  });

  api.delete('/api/members/:id', {
    schema: { summary: 'Remove a member: their sessions end and their API keys are revoked (not the last owner)', tags: ['members'], params: id, response: { 204: noContent } },
    config: { auth: 'owner', resource: 'member' },
  }, async (request, reply) => {
    const { tenantId, memberId } = request.principal!;
    await services.db.withTenant(tenantId, (tx) => removeMember(tx, request.params.id, memberId));
    return reply.status(204).send();
  });
}
