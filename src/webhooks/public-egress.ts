import dns, { type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { Agent } from 'undici';

/**
 * True for addresses a tenant's webhook must never reach: this machine, private and
 * link-local networks, carrier-grade NAT, unique-local IPv6, and IPv4 mapped into IPv6.
 */
export function isPrivateAddress(address: string): boolean {
  const host = address.replace(/^\[|\]$/g, '').toLowerCase();
  const version = isIP(host);
  if (version === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (version === 6) return host === '::1' || host === '::' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('fe80') || host.startsWith('::ffff:');
  return false;
}

type Resolve = (hostname: string, options: dns.LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;
type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for outgoing connections that refuses names resolving to a private address.
 * Checking the URL when the webhook is saved cannot catch a name that resolves somewhere
 * private later (DNS rebinding); checking here, at connect time, uses the very address the
 * socket will connect to. A name with any private address is refused outright.
 */
export function publicOnlyLookup(resolve: Resolve = dns.lookup as unknown as Resolve) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const blocked = addresses.find((a) => isPrivateAddress(a.address));
      if (blocked || addresses.length === 0) {
        const refusal: NodeJS.ErrnoException = new Error(`${hostname} resolves to ${blocked?.address ?? 'nothing'}, which webhooks may not reach`);
        refusal.code = 'EPRIVATEADDRESS';
        return callback(refusal, '');
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The connection pool outgoing webhooks use in production: public addresses only. */
export function publicOnlyAgent(): Agent {
  return new Agent({ connect: { lookup: publicOnlyLookup() as never } });
}
