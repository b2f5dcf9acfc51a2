import { AppError } from '../platform/errors.js';
import { isPrivateAddress } from './public-egress.js';

/**
 * Where a webhook may point. In production: https only, and not at this machine or a
 * private network by address or well-known name (a tenant must not make Kovan probe the
 * operator's internals). Outside production http and localhost are allowed, for tests and
 * demos. Names that resolve to private addresses are refused when the dispatcher connects
 * (public-egress.ts), since a name can resolve differently later.
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
  // A trailing dot is the same name ("localhost." is localhost).
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) return true;
  return isPrivateAddress(host);
}

function problem(message: string): AppError {
  return new AppError('validation_failed', `url: ${message}`, { fields: [{ field: 'url', message }] });
}
