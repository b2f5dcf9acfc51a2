import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PasswordHasher } from '../auth/passwords.js';
import type { Platform } from '../platform/index.js';

/** The Fastify instance every context's routes register on: zod schemas type the handlers. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

/** What route handlers may use: the platform plus the few process-wide services. */
export interface Services extends Platform {
  hasher: PasswordHasher;
  /** Where the Mini App is reachable, for links in e-mails. */
  appUrl: string;
}

/** A context's routes: registered by the server with the services. */
export type RouteModule = (api: Api, services: Services) => void;
