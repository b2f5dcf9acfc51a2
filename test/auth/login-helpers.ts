import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestApi, TestResponse } from '../helpers/api.js';
import { eventually } from '../helpers/processes.js';

async function mailTo(api: TestApi, address: string): Promise<string | undefined> {
  const files = await readdir(api.mailDir).catch(() => [] as string[]);
  const file = files.filter((f) => f.includes(address)).sort().at(-1);
  return file && readFile(path.join(api.mailDir, file), 'utf8');
}

/** The reset token of the newest reset e-mail to `address`, once the file mailer has written it. */
export async function resetTokenMailedTo(api: TestApi, address: string): Promise<string> {
  // The e-mail is sent after the response: wait for it as long as a busy machine may need.
  const mail = await eventually(() => mailTo(api, address), 60_000, `an e-mail to ${address}`);
  const body = mail.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return decodeURIComponent(/token=([\w%-]+)/.exec(body)![1]!);
}

/** The `kovan_device=…` pair a response sets, ready for a Cookie header. */
export function deviceCookieOf(response: TestResponse): string {
  return response.headers.getSetCookie().find((c) => c.startsWith('kovan_device='))?.split(';')[0] ?? '';
}
