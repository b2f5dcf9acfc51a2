import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { Second } from '../platform/time.js';
import { AppError } from '../platform/errors.js';
import { compareLogIds, logIdPattern } from '../platform/cache/index.js';
import { eventsAfter, subscribeEvents, type LiveEvent } from './live-events.js';

/** A comment line this often keeps proxies and browsers from closing an idle stream. */
export const heartbeatInterval = 15 * Second;

const eventTypes = ['message_in', 'message_out', 'join', 'leave', 'join_request', 'delivery_failed', 'quota', 'bot_status', 'group'] as const;

/**
 * Live events over Server-Sent Events: each client subscribes to its own tenant's channel
 * (the tenant comes from the session or key, never from the request), so a tenant can
 * only ever receive its own events. With Redis the channel spans every API replica.
 */
export function eventRoutes(api: Api, services: Services): void {
  const open = new Set<ServerResponse>();
  // SSE responses never finish by themselves: end them when the server closes, or close would wait forever.
  api.addHook('preClose', async () => {
    for (const response of open) response.end();
  });

  api.get('/api/events', {
    schema: {
      summary: 'Server-Sent Events: your account’s live events (message in/out, join, leave, delivery failed, quota, bot status)',
      description: 'text/event-stream. Each event has `id: <log id>`, `event: <type>` and `data: {"type","at","data"}`; a comment every 15 s keeps the stream open. `types` filters (comma-separated). A client that reconnects with `Last-Event-ID` (browsers send it by themselves) or `?lastEventId=` first gets the events it missed (the newest 500 of the last hour are kept); when some were no longer kept, a `reset` event says so.',
      tags: ['events'],
      querystring: z.strictObject({
        lastEventId: z.string().regex(logIdPattern, 'an event id as sent in `id:` (<milliseconds>-<sequence>)').optional(),
        types: z.string().min(1).max(300).optional()
          .transform((text, ctx) => {
            if (text === undefined) return undefined;
            const wanted = text.split(',').map((t) => t.trim()).filter(Boolean);
            const unknown = wanted.filter((t) => !(eventTypes as readonly string[]).includes(t));
            if (wanted.length === 0) ctx.addIssue({ code: 'custom', message: 'name at least one event type' });
            if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown event type ${unknown.join(', ')}; known: ${eventTypes.join(', ')}` });
            return new Set(wanted);
          }),
      }),
      response: { 200: { description: 'The event stream', content: { 'text/event-stream': { schema: z.string() } } } },
    },
  }, async (request, reply) => {
    const tenantId = request.principal!.tenantId;
    const wanted = request.query.types;
    const resumeAfter = request.query.lastEventId ?? lastEventIdHeader(request.headers['last-event-id']);
    const response = reply.raw;
    const write = (text: string) => { if (!response.writableEnded) response.write(text); };
    // While the missed events are replayed, live ones wait; an event in both is sent once.
    let lastSent = resumeAfter;
    let held: Array<{ event: LiveEvent; id: string }> | undefined = resumeAfter ? [] : undefined;
    const deliver = (event: LiveEvent, id: string) => {
      if (lastSent && compareLogIds(id, lastSent) <= 0) return;
      lastSent = id;
      if (wanted && !wanted.has(event.type)) return;
      write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    };

    const unsubscribe = await subscribeEvents(services.cache, tenantId, (event, id) => (held ? held.push({ event, id }) : deliver(event, id)));
    reply.hijack();
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // nginx: do not buffer the stream
      'x-request-id': String(request.id),
    });
    write(`retry: 3000\n: connected\n\nevent: ready\ndata: ${JSON.stringify({ type: 'ready', at: new Date().toISOString(), data: {} })}\n\n`);
    open.add(response);
    if (resumeAfter) {
      const missed = await eventsAfter(services.cache, tenantId, resumeAfter).catch(() => ({ events: [], complete: false }));
      if (!missed.complete) {
        write(`event: reset\ndata: ${JSON.stringify({ type: 'reset', at: new Date().toISOString(), data: { reason: 'Some events since the last one you received are no longer kept: reload what you show.' } })}\n\n`);
      }
      for (const { event, id } of missed.events) deliver(event, id);
      for (const { event, id } of held!) deliver(event, id);
      held = undefined;
    }

    const heartbeat = setInterval(() => write(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatInterval);
    heartbeat.unref();
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      open.delete(response);
      unsubscribe().catch((error) => request.log.warn({ err: error }, 'unsubscribe failed'));
    };
    request.raw.on('close', close);
    response.on('close', close);
    response.on('error', close);
  });
}

/** The `Last-Event-ID` header a reconnecting client sends; a malformed one is a clear 400. */
function lastEventIdHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && logIdPattern.test(value)) return value;
  throw new AppError('validation_failed', 'Last-Event-ID is not an event id this server sent', { fields: [{ field: 'Last-Event-ID', message: 'expected <milliseconds>-<sequence>' }] });
}
