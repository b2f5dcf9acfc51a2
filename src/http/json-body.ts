import secureJson from 'secure-json-parse';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../platform/errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Replaces Fastify's JSON parser with one that refuses bytes that are not UTF-8 (the
 * default would silently turn them into U+FFFD and store mangled text) and keeps the
 * prototype-poisoning protection.
 */
export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json$/, { parseAs: 'buffer' }, (_request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      return done(new AppError('malformed_request', 'The body is not valid UTF-8'), undefined);
    }
    if (text.trim() === '') return done(new AppError('malformed_request', 'The JSON body is empty'), undefined);
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch {
      done(new AppError('malformed_request', 'The body is not valid JSON'), undefined);
    }
  });
}
