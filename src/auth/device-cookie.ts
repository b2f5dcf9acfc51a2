import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../platform/crypto.js';
import { Day } from '../platform/time.js';

export const deviceCookie = 'kovan_device';
export const deviceCookieLifetime = 180 * Day;

/**
 * OWASP's "device cookie": after a successful login (or a password reset by e-mail link)
 * the browser gets a cookie naming the member and a random device id, signed with a key
 * derived from KOVAN_SECRET_KEY. A login attempt that presents it for the same member is
 * counted on the device's own budget, so an attacker who spends the account's global
 * budget does not lock the owner out of the devices they already use.
 */
export class DeviceCookies {
  readonly #key: Buffer;

  constructor(secretKey: Buffer) {
    // A key of its own: a device cookie's signature reveals nothing about what the secret key encrypts.
    this.#key = createHmac('sha256', secretKey).update('kovan device cookie v1').digest();
  }

  /** A new cookie value for `memberId`: `<member id>.<device id>.<signature>`. */
  issue(memberId: string): string {
    const deviceId = randomBytes(16).toString('base64url');
    return `${memberId}.${deviceId}.${this.#sign(memberId, deviceId)}`;
  }

  /** The device id, when `cookie` is genuine and was issued to `memberId`. */
  deviceOf(cookie: string | undefined, memberId: string): string | undefined {
    const [member, deviceId, signature, ...rest] = (cookie ?? '').split('.');
    if (rest.length > 0 || member !== memberId || !deviceId || !signature) return undefined;
    return constantTimeEqual(signature, this.#sign(member, deviceId)) ? deviceId : undefined;
  }

  #sign(memberId: string, deviceId: string): string {
    return createHmac('sha256', this.#key).update(`${memberId}.${deviceId}`).digest('base64url');
  }
}
