import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestApi, TestResponse } from '../helpers/api.js';

async function mailTo(api: TestApi, address: string): Promise<string | undefined> {
  const files = await readdir(api.mailDir).catch(() => [] as string[]);
  const file = files.filter((f) => f.includes(address)).sort().at(-1);
  return file && readFile(path.join(api.mailDir, file), 'utf8');
}

/** The reset token of the newest reset e-mail to `address`, once the file mailer has written it. */
export async function resetTokenMailedTo(api: TestApi, address: string): Promise<string> {
  let mail: string | undefined;
  for (let i = 0; i < 600 && !mail; i++) { // up to 30 s: the e-mail is sent after the response, on a busy machine
    mail = await mailTo(api, address);
    if (!mail) await new Promise((r) => setTimeout(r, 50));
  }
  if (!mail) throw new Error(`no e-mail to ${address}`);
  const body = mail.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return decodeURIComponent(/token=([\w%-]+)/.exec(body)![1]!);
}

/** The `kovan_device=…` pair a response sets, ready for a Cookie header. */
export function deviceCookieOf(response: TestResponse): string {
  return response.headers.getSetCookie().find((c) => c.startsWith('kovan_device='))?.split(';')[0] ?? '';
}
