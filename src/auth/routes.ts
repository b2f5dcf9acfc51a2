import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import { noContent } from '../http/response-contract.js';
import type { Api, Services } from '../http/types.js';
import { Minute } from '../platform/time.js';
import { meSchema, memberSchema, signedInSchema } from './contract.js';
import { describeMember, logIn, registerAccount, type SignedIn } from './accounts.js';
import { DeviceCookies, deviceCookie, deviceCookieLifetime } from './device-cookie.js';
import { confirmPasswordReset, requestPasswordReset } from './password-reset.js';
import { passwordLength } from './passwords.js';
import { revokeSession, sessionAbsoluteTimeout } from './sessions.js';
import { linkTelegramAccount, logInWithTelegram } from './telegram-login.js';

export const sessionCookie = 'kovan_session';

const authLimit = { max: 20, windowMs: Minute };
const username = z.string().trim().toLowerCase().regex(/^[a-z0-9_.-]{3,32}$/, '3–32 characters: letters, digits, _ . -');
const email = z.email().max(254);
const password = z.string().min(1).max(passwordLength.max); // strength is judged by passwordProblem()
const initData = z.string().min(1).max(4096);

/** Accounts and sessions: the customer's `/api/auth/register` and `/api/auth/login`, and the rest of the lifecycle. */
export function authRoutes(api: Api, services: Services): void {
  const deps = { ...services, trialDays: services.config.TRIAL_DAYS };
  const telegram = { db: services.db, cache: services.cache, platformBotToken: services.config.PLATFORM_BOT_TOKEN, maxAgeSeconds: services.config.INITDATA_MAX_AGE_SECONDS };

  const devices = new DeviceCookies(services.config.secretKey);

  /** This browser is now a device the member uses: its password logins get their own budget. */
  const rememberDevice = (reply: FastifyReply, memberId: string) => {
    reply.setCookie(deviceCookie, devices.issue(memberId), {
      httpOnly: true, sameSite: 'strict', secure: services.config.production, path: '/api/auth', maxAge: deviceCookieLifetime / 1000,
    });
  };

  const signIn = (reply: FastifyReply, signedIn: SignedIn) => {
    reply.setCookie(sessionCookie, signedIn.token, {
      httpOnly: true, sameSite: 'lax', secure: services.config.production, path: '/', maxAge: sessionAbsoluteTimeout / 1000,
    });
    rememberDevice(reply, signedIn.member.id);
    return { token: signedIn.token, tenantId: signedIn.tenantId, member: signedIn.member };
  };

  api.post('/api/auth/register', {
    schema: {
      summary: 'Register a new customer (tenant) and its owner login',
      tags: ['auth'],
      body: z.strictObject({
        username, email, password,
        tenant_name: z.string().trim().min(1).max(120).optional(),
        language: z.enum(['en', 'tr']).optional(),
      }),
      response: { 201: signedInSchema },
    },
    config: { auth: 'public', rateLimit: authLimit },
  }, async (request, reply) => {
    const b = request.body;
    const signedIn = await registerAccount(deps, { username: b.username, email: b.email, password: b.password, tenantName: b.tenant_name, language: b.language }, request.headers['user-agent']);
    return reply.status(201).send(signIn(reply, signedIn));
  });

  api.post('/api/auth/login', {
    schema: {
      summary: 'Log in with username (or e-mail) and password',
      tags: ['auth'],
      body: z.strictObject({ username: z.string().trim().min(1).max(254), password }),
      response: { 200: signedInSchema },
    },
    config: { auth: 'public', rateLimit: authLimit },
  }, async (request, reply) => signIn(reply, await logIn(deps, {
    login: request.body.username, password: request.body.password, ip: request.ip, userAgent: request.headers['user-agent'],
    knownDevice: (memberId) => devices.deviceOf(request.cookies[deviceCookie], memberId),
  })));

  api.post('/api/auth/telegram', {
    schema: { summary: 'Log in from inside Telegram with the Mini App initData', tags: ['auth'], body: z.strictObject({ initData }), response: { 200: signedInSchema } },
    config: { auth: 'public', rateLimit: authLimit },
  }, async (request, reply) => signIn(reply, await logInWithTelegram(telegram, request.body.initData, request.headers['user-agent'])));

  api.post('/api/auth/telegram/link', {
    schema: { summary: 'Link the Telegram account of this Mini App to the logged-in member', tags: ['auth'], body: z.strictObject({ initData }), response: { 200: z.object({ member: memberSchema }) } },
    config: { auth: 'viewer', rateLimit: authLimit },
  }, async (request) => ({ member: await linkTelegramAccount(telegram, request.principal!.tenantId, request.principal!.memberId, request.body.initData) }));

  api.post('/api/auth/logout', {
    schema: { summary: 'End the current session', tags: ['auth'], response: { 204: noContent } },
  }, async (request, reply) => {
    const { tenantId, sessionId } = request.principal!;
    if (sessionId) await services.db.withTenant(tenantId, (tx) => revokeSession(tx, sessionId));
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.status(204).send();
  });

  api.get('/api/auth/me', {
    schema: { summary: 'Who is logged in: member, tenant and plan', tags: ['auth'], response: { 200: meSchema } },
  }, async (request) => {
    const { tenantId, memberId } = request.principal!;
    return services.db.withTenant(tenantId, (tx) => describeMember(tx, memberId));
  });

  api.post('/api/auth/password-reset/request', {
    schema: { summary: 'E-mail a password reset link (same answer whether or not the address exists)', tags: ['auth'], body: z.strictObject({ email }), response: { 202: z.object({ message: z.string() }) } },
    config: { auth: 'public', rateLimit: { max: 5, windowMs: Minute } },
  }, async (request, reply) => {
    requestPasswordReset(services, request.body.email);
    return reply.status(202).send({ message: 'If an account uses this address, a reset link is on its way.' });
  });

  api.post('/api/auth/password-reset/confirm', {
    schema: {
      summary: 'Set a new password with the e-mailed token; ends every other session',
      tags: ['auth'],
      body: z.strictObject({ token: z.string().min(10).max(200), password }),
      response: { 204: noContent },
    },
    config: { auth: 'public', rateLimit: authLimit },
  }, async (request, reply) => {
    const memberId = await confirmPasswordReset(services, request.body.token, request.body.password);
    // The e-mail link proved who this is: a login from here is not held back by an attack on the account.
    rememberDevice(reply, memberId);
    return reply.status(204).send();
  });
}
