import type { FastifyHttpOptions } from 'fastify';
import type { Server } from 'node:http';
import type { Config } from '../config.js';
import { Second } from '../platform/time.js';

/** Headers must be complete within this (or the request timeout, if shorter). */
const headersTimeoutMs = 10 * Second;

/**
 * The HTTP server's limits against slow or greedy clients (docs/OPERATIONS.md §10). Each
 * bounds what one connection can hold: a socket, a parser, memory for the body.
 */
export function connectionLimits(config: Pick<Config, 'HTTP_REQUEST_TIMEOUT_MS'>): FastifyHttpOptions<Server> {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT_MS;
  return {
    /** Largest body any route accepts (JSON; webhook updates are far smaller). */
    bodyLimit: 1024 * 1024,
    /** The whole request must arrive within this (slowloris): 408, then the socket is closed. */
    requestTimeout,
    /** A socket with no traffic either way for this long is closed; SSE sends a heartbeat every 15 s. */
    connectionTimeout: 30 * Second,
    /**
     * Idle keep-alive connections live longer than nginx's (60 s upstream default), so the proxy
     * never reuses a socket this server is just closing (which would be a 502).
     */
    keepAliveTimeout: 65 * Second,
    http: {
      headersTimeout: Math.min(headersTimeoutMs, requestTimeout),
      // Node checks the two timeouts above only this often (30 s by default, which would let a
      // slow client hold its socket up to twice the limit).
      connectionsCheckingInterval: Math.min(Second, Math.ceil(requestTimeout / 4)),
    },
  };
}
