import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../platform/crypto.js';

/** The Telegram user a valid initData vouches for. */
export interface InitDataUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type InitDataResult =
  | { ok: true; user: InitDataUser; authDate: Date; hash: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' | 'future' | 'no_user' };

/**
 * How far `auth_date` may lie ahead of this server's clock. Telegram's servers set it, so
 * only clock drift between them and Kovan can put it ahead: seconds, not days. A date
 * further ahead would stay "fresh" for as long as it is in the future.
 */
export const initDataClockSkewSeconds = 60;

/**
 * Validates Mini App `initData` exactly as Telegram documents it: remove `hash` only (a
 * `signature` field stays), sort `key=value` pairs by key, join with newlines, and compare
 * HMAC-SHA256(key = HMAC-SHA256("WebAppData", botToken), data) with `hash` in constant time.
 * Then rejects data older than `maxAgeSeconds` (Telegram sets no limit; Kovan's is configured)
 * or dated further ahead than {@link initDataClockSkewSeconds}. Single use is the caller's
 * (telegram-login.ts): this function has no memory.
 */
export function validateInitData(initData: string, botToken: string, maxAgeSeconds: number, now = Date.now()): InitDataResult {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(initData);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const hash = params.get('hash');
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) return { ok: false, reason: 'malformed' };
  params.delete('hash');
  const dataCheckString = [...params.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const expected = createHmac('sha256', secret).update(dataCheckString).digest('hex');
  if (!constantTimeEqual(expected, hash)) return { ok: false, reason: 'bad_signature' };

  const authDate = Number(params.get('auth_date'));
  if (!Number.isInteger(authDate) || authDate <= 0) return { ok: false, reason: 'malformed' };
  if (now / 1000 - authDate > maxAgeSeconds) return { ok: false, reason: 'expired' };
  if (authDate - now / 1000 > initDataClockSkewSeconds) return { ok: false, reason: 'future' };

  let user: InitDataUser;
  try {
    user = JSON.parse(params.get('user') ?? '');
  } catch {
    return { ok: false, reason: 'no_user' };
  }
  if (!user || !Number.isSafeInteger(user.id)) return { ok: false, reason: 'no_user' };
  return { ok: true, user, authDate: new Date(authDate * 1000), hash, expiresAt: new Date((authDate + maxAgeSeconds) * 1000) };
}

/**
 * Signs initData the way Telegram does. Kovan uses it in demo mode (the sandbox plays
 * Telegram's part when the Mini App opens in a browser) and tests use it to log in "from
 * inside Telegram".
 */
export function signInitData(fields: Record<string, string>, botToken: string): string {
  const dataCheckString = Object.keys(fields).sort().map((k) => `${k}=${fields[k]}`).join('\n');
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const hash = createHmac('sha256', secret).update(dataCheckString).digest('hex');
  return new URLSearchParams({ ...fields, hash }).toString();
}
