import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import cookie from '@fastify/cookie';
import staticFiles from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from 'fastify-type-provider-zod';
import { authRoutes } from '../auth/index.js';
import { tenancyRoutes } from '../tenancy/routes.js';
import { auditRoutes } from '../tenancy/audit-routes.js';
import { notificationSettingsRoutes } from '../tenancy/notification-settings-routes.js';
import { botRoutes } from '../bots/routes.js';
import { groupRoutes } from '../groups/routes.js';
import { templateRoutes } from '../templates/routes.js';
import { replyRuleRoutes } from '../rules/routes.js';
import { analyticsRoutes } from '../analytics/routes.js';
import { messageRoutes } from '../messaging/routes.js';
import { memberRoutes } from '../members/routes.js';
import { apiKeyRoutes } from '../api-keys/routes.js';
import { eventRoutes } from '../events/routes.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { webhookIngressRoutes } from '../bots/webhook-ingress.js';
import { fleetRoutes } from '../fleet/routes.js';
import { deliveryRoutes } from '../delivery/index.js';
import { portabilityRoutes } from '../portability/index.js';
import { tryItRoutes } from '../try-it/routes.js';
import { demoRoutes } from '../demo/routes.js';
import { billingRoutes } from '../billing/index.js';
import { operatorRoutes } from '../operator/index.js';
import { AppError } from '../platform/errors.js';
import { httpRequestDuration } from '../platform/metrics.js';
import { authenticate } from './authenticate.js';
import { connectionLimits } from './connection-limits.js';
import { clientErrorHandler, frameworkErrors } from './framework-errors.js';
import { registerJsonParser } from './json-body.js';
import { registerOpsRoutes } from './ops-routes.js';
import { sendProblem } from './problem.js';
import { enforceRateLimit, enforceTenantWriteBudget, refuseOverBudgetCredential } from './rate-limit.js';
import { documentedStatuses, documentProblems, responseSerializerCompiler } from './response-contract.js';
import type { Api, RouteModule, Services } from './types.js';

/** Every context's routes, in one list: the isolation tests walk the routes these register. */
export const routeModules: RouteModule[] = [
  authRoutes, tenancyRoutes, webhookIngressRoutes, fleetRoutes,
  // REST API (docs/API.md)
  apiKeyRoutes, botRoutes, groupRoutes, templateRoutes, replyRuleRoutes, analyticsRoutes, messageRoutes,
  memberRoutes, auditRoutes, notificationSettingsRoutes, eventRoutes, webhookRoutes,
  deliveryRoutes, portabilityRoutes, tryItRoutes, demoRoutes, billingRoutes, operatorRoutes,
];

export interface RegisteredRoute {
  method: string;
  url: string;
  auth: string;
  resource?: string;
  example?: unknown;
  /** The route validates a request body. */
  hasBody: boolean;
  /** In /api/openapi.json (not hidden). */
  documented: boolean;
  /** The statuses its response schemas describe (`200`, `4xx`, …). */
  responses: string[];
}

export interface ServerOptions {
  /** Extra route modules (roles other than api add theirs, tests add probes). */
  extraRoutes?: RouteModule[];
}

const webDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/**
 * Assembles the HTTP API: parsing, authentication, rate limits, the error model, OpenAPI,
 * health, metrics, the Mini App, and every context's routes. Listening is the caller's.
 */
export async function buildServer(services: Services, options: ServerOptions = {}): Promise<{ app: FastifyInstance; routes: RegisteredRoute[] }> {
  const app = Fastify({
    loggerInstance: services.log as FastifyBaseLogger,
    ...connectionLimits(services.config),
    trustProxy: services.config.TRUST_PROXY,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    return503OnClosing: true,
    // Errors raised before Kovan's hooks run are problem documents too.
    frameworkErrors,
    clientErrorHandler,
  });
  app.setValidatorCompiler(validatorCompiler);
  // Strict in tests only: a test fails on an answer its schema does not describe, while a person
  // trying the demo (development) is never shown a 500 for it; elsewhere the mismatch is logged.
  app.setSerializerCompiler(responseSerializerCompiler({ strict: services.config.NODE_ENV === 'test', log: services.log as FastifyBaseLogger }));
  registerJsonParser(app);
  app.setErrorHandler((error, request, reply) => sendProblem(error, request, reply));
  app.setNotFoundHandler((request, reply) => sendProblem(new AppError('not_found', `No route ${request.method} ${request.url.split('?')[0]}`), request, reply));

  // Kept as the route options objects: scopes may still adjust `config` after this hook runs.
  const routeOptions: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    documentProblems(route);
    routeOptions.push(route);
  });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Kovan API', version: '1', description: 'Host and run Telegram bots for your groups. Errors are application/problem+json with a stable `code`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    // Schemas with a `.meta({ id })` (Bot, Group, Problem, …) become named components: typed clients get their names.
    transformObject: jsonSchemaTransformObject,
  });

  // Order of every request: authenticate → rate limit → validate → handler (Outline's order).
  app.addHook('onRequest', async (request, reply) => {
    await refuseOverBudgetCredential(services.cache, request, reply, services.config.TENANT_WRITE_LIMIT);
    await authenticate(services, request);
    // Every later log line of this request names its tenant (ELK: filter by tenant_id).
    if (request.principal) request.log = reply.log = request.log.child({ tenant_id: request.principal.tenantId });
    await enforceRateLimit(services.cache, request, reply);
    await enforceTenantWriteBudget(services.cache, request, reply, services.config.TENANT_WRITE_LIMIT);
  });
  app.addHook('onResponse', async (request, reply) => {
    httpRequestDuration.observe(
      { route: request.routeOptions.url ?? 'unmatched', method: request.method, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(async (publicScope) => {
    publicScope.addHook('onRoute', (route) => { route.config = { ...route.config, auth: 'public' }; });
    await publicScope.register(swaggerUi, { routePrefix: '/api/docs' });
    publicScope.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    registerOpsRoutes(publicScope, services.db, { maxEventLoopDelayMs: services.config.EVENT_LOOP_READY_MAX_MS });
    // `kovan start` and `kovan api` build the Mini App before this (roles/mini-app-build.ts); an
    // image built without it serves the API alone.
    if (existsSync(webDist)) {
      await publicScope.register(staticFiles, { root: webDist, prefix: '/', wildcard: false, index: ['index.html'] });
    } else {
      publicScope.get('/', { schema: { hide: true } }, async (_request, reply) =>
        reply.type('text/html').send('<!doctype html><title>Kovan</title><h1>Kovan API</h1><p>This installation serves the API only (an image without the Mini App). API docs: <a href="/api/docs">/api/docs</a>.</p>'));
    }
  });

  const api = app.withTypeProvider() as unknown as Api;
  for (const register of [...routeModules, ...(options.extraRoutes ?? [])]) register(api, services);
  await app.ready();
  const routes = routeOptions.flatMap((route) => [route.method].flat()
    .filter((method) => method !== 'HEAD')
    .map((method) => ({
      method, url: route.url, auth: route.config?.auth ?? 'viewer', resource: route.config?.resource,
      example: route.config?.example, hasBody: Boolean(route.schema?.body),
      documented: Boolean(route.schema && !(route.schema as { hide?: boolean }).hide), responses: documentedStatuses(route),
    })));
  return { app, routes };
}
