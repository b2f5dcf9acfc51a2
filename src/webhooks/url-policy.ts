import { isIP } from 'node:net';
import { AppError } from '../platform/errors.js';

/**
 * Where a webhook may point. In production: https only, and not at this machine or a
 * private network by address (a tenant must not make Kovan probe the operator's
 * internals). Outside production http and localhost are allowed, for tests and demos.
 * Names that resolve to private addresses are not caught here; egress rules must.
 */
export function checkWebhookUrl(text: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw problem('is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw problem('must be an http(s) URL');
  if (url.username || url.password) throw problem('must not carry credentials; use the signature to authenticate Kovan');
  if (production) {
    if (url.protocol !== 'https:') throw problem('must use https');
    if (isPrivateHost(url.hostname)) throw problem('must be reachable on the public internet');
  }
  return url.toString();
}

function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) return true;
  const version = isIP(host);
  if (version === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (version === 6) return host === '::1' || host === '::' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80') || host.startsWith('::ffff:');
  return false;
}

function problem(message: string): AppError {
  return new AppError('validation_failed', `url: ${message}`, { fields: [{ field: 'url', message }] });
}
