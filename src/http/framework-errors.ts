import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.js';
import { problemContentType, problemDocument, sendProblem } from './problem.js';

/**
 * Errors Fastify's router raises before any hook or handler runs (a path segment that is
 * not valid UTF-8 once decoded, a path parameter over `maxParamLength`): answered with the
 * same problem document as every other error instead of Fastify's own JSON shape.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  sendProblem(error, request, reply);
}

/** What Node's HTTP parser refuses, in Kovan's words; anything else it refuses is a malformed request. */
function parserProblem(error: NodeJS.ErrnoException): AppError {
  if (error.code === 'HPE_HEADER_OVERFLOW') return new AppError('headers_too_large', 'The request line or headers are too large (a URL of many kilobytes?)');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return new AppError('request_timeout', 'The request was not received in time');
  return new AppError('malformed_request', 'The request is not valid HTTP');
}

/**
 * Node's HTTP parser refuses some requests before Fastify sees them (431 for headers or a
 * request line over `maxHeaderSize`, 400 for malformed HTTP, 408 on a timeout). The socket
 * is all there is then, so the problem document is written on it by hand, and it is closed:
 * the parser cannot tell where the next request would start.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const problem = parserProblem(error);
    const body = JSON.stringify(problemDocument(problem, crypto.randomUUID()));
    socket.write(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\nContent-Type: ${problemContentType}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
