import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { SandboxCore } from '../core.js';
import { errorEnvelope } from '../api/dispatcher.js';
import { notFound, SandboxError } from '../errors.js';
import type { SandboxWorld } from '../world/world.js';
import { registerBotApiRoutes } from './bot-api-routes.js';
import { registerControlRoutes } from './control-routes.js';

/**
 * The sandbox's HTTP server: the Bot API under /bot<token>/…, the control API under /sandbox/….
 * Bodies are kept as raw bytes and parsed by each side itself, so the Bot API can accept every
 * encoding clients use and answer malformed input the way Telegram does rather than Fastify's way.
 */
export function createHttpServer(core: SandboxCore, world: SandboxWorld): FastifyInstance {
  // forceCloseConnections: close() must not wait for clients' keep-alive connections.
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 50 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof SandboxError) return reply.code(error.status).send({ error: error.message });
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({ error: error.message });
  });
  app.setNotFoundHandler((request, reply) =>
    request.url.startsWith('/bot')
      ? reply.code(404).send(errorEnvelope(notFound()))
      : reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );

  registerBotApiRoutes(app, core);
  registerControlRoutes(app, core, world);
  return app;
}
