import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError } from 'grammy';
import type { Update } from 'grammy/types';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';
import { startSandbox } from '../../src/sandbox/index.js';

/** Sandbox timings for tests: a Telegram minute lasts 600 ms. */
export const testTimeScale = 0.01;

/** Starts a sandbox with test timings; the caller closes it (usually in `after`). */
export function openSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ timeScale: testTimeScale, ...options });
}

/** A grammY client for a bot of the sandbox, exactly as the product would build it. */
export function grammyBot(sandbox: Sandbox, token: string): Bot {
  return new Bot(token, { client: { apiRoot: sandbox.apiRoot } });
}

/** Asserts a grammY call fails with this Telegram error. */
export async function assertTelegramError(
  call: Promise<unknown>,
  errorCode: number,
  description: string,
  parameters?: Record<string, unknown>,
): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof GrammyError, `expected a GrammyError, got ${String(error)}`);
    assert.equal(error.error_code, errorCode);
    assert.equal(error.description, description);
    if (parameters) assert.deepEqual(error.parameters, parameters);
    return true;
  });
}

/** A bot with a user who started it: the usual starting point of a private-chat test. */
export async function botWithUser(sandbox: Sandbox, username: string) {
  const created = sandbox.createBot({ username });
  const user = sandbox.createUser({ firstName: 'Ada', lastName: 'Lovelace' });
  sandbox.userStartsBot(user.id, created.id);
  const bot = grammyBot(sandbox, created.token);
  const [start] = await bot.api.getUpdates();
  await bot.api.getUpdates({ offset: (start?.update_id ?? 0) + 1 });
  return { created, user, bot };
}

/** One request a webhook receiver got. */
export interface WebhookHit {
  update: Update;
  headers: IncomingHttpHeaders;
}

/** Closes a test HTTP server without waiting for the sandbox's keep-alive connections to idle out. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A local webhook endpoint whose answers a test scripts (status code, optional delay and body). */
export async function startWebhookReceiver(
  answer: (hit: WebhookHit, index: number) => { status: number; delayMs?: number; body?: unknown },
) {
  const hits: WebhookHit[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const hit = { update: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Update, headers: request.headers };
      hits.push(hit);
      const { status, delayMs = 0, body } = answer(hit, hits.length - 1);
      setTimeout(() => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body === undefined ? '' : JSON.stringify(body));
        for (const wake of waiters.splice(0)) wake();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    hits,
    /** Resolves once at least `count` requests were answered. */
    async answered(count: number): Promise<void> {
      while (hits.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      await new Promise((resolve) => setImmediate(resolve));
    },
    close: () => closeServer(server),
  };
}

/** Polls a condition every few milliseconds until it holds (or fails the test after `timeoutMs`). */
export async function eventually(condition: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
