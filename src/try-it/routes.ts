import { z } from 'zod';
import type { Api, Services } from '../http/types.js';
import { AppError } from '../platform/errors.js';
import { listBots } from '../bots/bots.js';
import { SandboxControl } from './sandbox-control.js';
import { tryMessage } from './try-it.js';
import { tryItAnswerSchema } from './contract.js';

/** The Try-it panel: write as a sandbox user, see what the bot answers. */
export function tryItRoutes(api: Api, services: Services): void {
  const control = new SandboxControl(services.config.TELEGRAM_API_ROOT);
  api.post('/api/try-it/messages', {
    schema: {
      summary: 'Send a message as a sandbox user (private chat or the Try-it group) and get the bot’s answers',
      tags: ['try-it'],
      body: z.strictObject({ text: z.string().min(1).max(4096), chat: z.enum(['group', 'private']).default('private') }),
      response: { 200: tryItAnswerSchema },
    },
    config: { auth: 'admin', example: { text: 'hello', chat: 'group' }, rateLimit: { max: 30, windowMs: 60_000, key: 'principal' } },
  }, async (request) => {
    const tenantId = request.principal!.tenantId;
    const bot = (await services.db.withTenant(tenantId, (tx) => listBots(tx)))[0];
    if (!bot) throw new AppError('conflict', 'Connect a bot first: Try it talks to your bot');
    if (!(await control.available())) {
      throw new AppError('conflict', 'Try it runs against the Telegram sandbox, and this installation talks to the real Telegram: write to your bot in Telegram instead');
    }
    return tryMessage({ control, cache: services.cache, db: services.db }, tenantId, bot, request.body.text, request.body.chat);
  });
}
