import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiOutcome } from '../api/dispatcher.js';
import { errorOutcome, executeBotApiCall } from '../api/dispatcher.js';
import type { SandboxCore } from '../core.js';
import { BotApiError } from '../errors.js';
import { readBotApiArguments } from './bot-api-params.js';

/** What nginx in front of the Bot API answers when the backend is down. */
const badGatewayPage =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';

function sendOutcome(request: FastifyRequest, reply: FastifyReply, outcome: ApiOutcome): FastifyReply | undefined {
  switch (outcome.kind) {
    case 'envelope':
      return reply.code(outcome.status).send(outcome.envelope);
    case 'bad-gateway':
      return reply.code(502).type('text/html').send(badGatewayPage);
    case 'drop-connection':
      reply.hijack();
      request.raw.socket.destroy();
      return undefined;
  }
}

/** An AbortSignal that fires when the client disconnects before getting its answer. */
function disconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

/**
 * `/bot<token>/<method>`, GET or POST, arguments in the query string or a JSON, url-encoded or
 * multipart body — every way real clients call the Bot API.
 */
export function registerBotApiRoutes(app: FastifyInstance, core: SandboxCore): void {
  app.route<{ Params: { botPath: string; method: string } }>({
    method: ['GET', 'POST'],
    url: '/:botPath/:method',
    handler: async (request, reply) => {
      const { botPath, method } = request.params;
      if (!botPath.startsWith('bot')) return reply.callNotFound();
      try {
        const { args, raw } = await readBotApiArguments(request);
        const outcome = await executeBotApiCall(core, { token: botPath.slice(3), method, args, raw, signal: disconnectSignal(reply) });
        return sendOutcome(request, reply, outcome);
      } catch (error) {
        if (error instanceof BotApiError) return sendOutcome(request, reply, errorOutcome(error));
        throw error;
      }
    },
  });
}
