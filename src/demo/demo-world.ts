import { createHmac } from 'node:crypto';
import { startSandbox, type CreatedBot, type Sandbox } from '../sandbox/index.js';

/** A bot token that stays the same across restarts (derived from the secret key), so a seeded database keeps working. */
export function stableSandboxToken(secretKey: Buffer, name: string): string {
  const digest = createHmac('sha256', secretKey).update(`demo-token:${name}`).digest();
  const id = 7_000_000_000 + (digest.readUInt32BE(0) % 999_999_999);
  return `${id}:${digest.subarray(4).toString('base64url').slice(0, 35)}`;
}

/** The demo tenant's bot: the groups it is in are the shared demo groups every tenant may add a test bot to. */
export const demoBotUsername = 'kovan_demo_bot';

export interface DemoWorld {
  /** The sandbox; `sandbox.restored` says whether its world came back from DATA_DIR. */
  sandbox: Sandbox;
  /** The operator's platform bot in the sandbox: signs the Mini App's initData. */
  platformBotToken: string;
  demoBot: CreatedBot;
}

/**
 * Starts the in-process Telegram sandbox that demo mode runs against, with the platform bot
 * and the demo tenant's bot. With a `stateFile` the world (every bot a tenant created, its
 * groups and people) is kept across restarts, and the two bots are only created the first time.
 */
export async function startDemoWorld(secretKey: Buffer, options: { port?: number; stateFile?: string } = {}): Promise<DemoWorld> {
  const sandbox = await startSandbox({ port: options.port ?? 0, ...(options.stateFile ? { stateFile: options.stateFile } : {}) });
  const platformBotToken = stableSandboxToken(secretKey, 'platform');
  const demoBotToken = stableSandboxToken(secretKey, 'demo');
  if (!sandbox.findBot(platformBotToken)) sandbox.createBot({ username: 'kovan_platform_bot', firstName: 'Kovan', token: platformBotToken });
  const demoBot = sandbox.findBot(demoBotToken)
    ?? sandbox.createBot({ username: demoBotUsername, firstName: 'Kovan Demo', token: demoBotToken, canReadAllGroupMessages: true });
  return { sandbox, platformBotToken, demoBot };
}
