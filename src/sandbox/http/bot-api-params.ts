import type { FastifyRequest } from 'fastify';
import { flattenJsonParams } from '../api/params.js';
import { badRequest } from '../errors.js';

/** Arguments of a Bot API request: as strings for the server, and as sent for the call log. */
export interface BotApiArguments {
  args: Map<string, string>;
  raw: Record<string, unknown>;
}

function fromEntries(entries: Iterable<[string, string]>): BotApiArguments {
  const args = new Map(entries);
  return { args, raw: Object.fromEntries(args) };
}

async function parseBody(contentType: string, body: Buffer): Promise<BotApiArguments> {
  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON encoded request");
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('JSON object expected');
    return { args: flattenJsonParams(parsed as Record<string, unknown>), raw: parsed as Record<string, unknown> };
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return fromEntries(new URLSearchParams(body.toString('utf8')));
  }
  if (contentType.startsWith('multipart/form-data')) {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
    // Text fields only: the sandbox does not store uploaded files.
    return fromEntries([...form].flatMap(([name, value]) => (typeof value === 'string' ? [[name, value] as [string, string]] : [])));
  }
  return fromEntries([]);
}

/**
 * Collects a request's arguments from wherever a client put them, as the Bot API server does:
 * the query string, then a JSON, url-encoded or multipart body (the body wins on conflicts).
 */
export async function readBotApiArguments(request: FastifyRequest): Promise<BotApiArguments> {
  const query = fromEntries(new URL(request.url, 'http://sandbox').searchParams);
  const body = Buffer.isBuffer(request.body) && request.body.length > 0
    ? await parseBody(request.headers['content-type'] ?? '', request.body)
    : fromEntries([]);
  return { args: new Map([...query.args, ...body.args]), raw: { ...query.raw, ...body.raw } };
}
