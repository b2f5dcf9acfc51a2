import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../platform/crypto.js';

/** The header every webhook request carries: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const signatureHeader = 'Kovan-Signature';

/**
 * Signs a webhook body: HMAC-SHA256 with the webhook's secret over `<t>.<body>`, where `t`
 * is the Unix time of sending. Binding the time into the MAC lets receivers refuse
 * replays of an old request (see {@link verifySignature}).
 */
export function signPayload(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * What a receiver does (and what docs/API.md shows): parse the header, recompute the MAC
 * over the raw body, compare in constant time, and refuse timestamps older than
 * `toleranceSeconds`.
 */
export function verifySignature(secret: string, body: string, header: string, toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  return constantTimeEqual(expected, parts.v1);
}
