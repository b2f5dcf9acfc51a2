import type { FastifyInstance } from 'fastify';
import { PasswordHasher } from '../auth/index.js';
import type { Config } from '../config.js';
import { buildServer, type ServerOptions } from '../http/server.js';
import type { Services } from '../http/types.js';
import { closePlatform, openPlatform, type Platform, type PlatformOverrides } from '../platform/index.js';

export interface RunningApi {
  app: FastifyInstance;
  services: Services;
  url: string;
  stop(): Promise<void>;
}

/** Builds the services the HTTP layer needs on top of an open platform. */
export function apiServices(platform: Platform): Services {
  const appUrl = platform.config.APP_URL ?? `http://localhost:${platform.config.PORT}`;
  return { ...platform, hasher: new PasswordHasher(platform.config.PASSWORD_HASH_CONCURRENCY), appUrl };
}

/** Serves the HTTP API on an open platform; `stop` closes the server (in-flight requests finish), not the platform. */
export async function serveApi(platform: Platform, options: ServerOptions = {}): Promise<RunningApi> {
  const services = apiServices(platform);
  const { app } = await buildServer(services, options);
  const address = await app.listen({ port: platform.config.PORT, host: platform.config.HOST });
  const url = address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');
  return { app, services, url, stop: () => app.close() };
}

/**
 * The `api` role: REST API, Mini App, webhook ingress. Stateless; run as many as needed
 * behind a load balancer (with REDIS_URL so they share rate limits and live events).
 */
export async function startApi(config: Config, overrides: PlatformOverrides = {}, options: ServerOptions = {}): Promise<RunningApi> {
  const platform = await openPlatform(config, overrides);
  const running = await serveApi(platform, options);
  return { ...running, async stop() { await running.stop(); await closePlatform(platform); } };
}
