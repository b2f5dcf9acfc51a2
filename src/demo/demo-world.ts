import { createHmac } from 'node:crypto';
import { startSandbox, type CreatedBot, type Sandbox } from '../sandbox/index.js';

/** A bot token that stays the same across restarts (derived from the secret key), so a seeded database keeps working. */
export function stableSandboxToken(secretKey: Buffer, name: string): string {
  const digest = createHmac('sha256', secretKey).update(`demo-token:${name}`).digest();
  const id = 7_000_000_000 + (digest.readUInt32BE(0) % 999_999_999);
  return `${id}:${digest.subarray(4).toString('base64url').slice(0, 35)}`;
}

export interface DemoWorld {
  sandbox: Sandbox;
  /** The operator's platform bot in the sandbox: signs the Mini App's initData. */
  platformBotToken: string;
  demoBot: CreatedBot;
}

/** Starts the in-process Telegram sandbox that demo mode runs against, with the platform bot and the demo tenant's bot. */
export async function startDemoWorld(secretKey: Buffer, port = 0): Promise<DemoWorld> {
  const sandbox = await startSandbox({ port });
  const platformBotToken = stableSandboxToken(secretKey, 'platform');
  const demoBotToken = stableSandboxToken(secretKey, 'demo');
  sandbox.createBot({ username: 'kovan_platform_bot', firstName: 'Kovan', token: platformBotToken });
  const demoBot = sandbox.createBot({ username: 'kovan_demo_bot', firstName: 'Kovan Demo', token: demoBotToken, canReadAllGroupMessages: true });
  return { sandbox, platformBotToken, demoBot };
}
