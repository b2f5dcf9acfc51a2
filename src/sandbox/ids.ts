import { createHash, randomBytes, randomInt } from 'node:crypto';

export interface IdCounters {
  users: number;
  bots: number;
  basicGroups: number;
  supergroups: number;
}

/**
 * Hands out identifiers shaped like Telegram's: unique, never reused (a restored sandbox goes on
 * from its saved counters), and deliberately large: modern bot, user and group ids exceed 2^31 (some exceed 2^32), and
 * a product that stores them in a 32-bit INTEGER must fail here rather than in production. Users
 * alternate between old-style small ids and large ones so both shapes get exercised.
 */
export class IdAllocator {
  // Each sandbox starts its counters at a random place: two sandboxes (a restarted demo without
  // its state file, test files running side by side against one database) must not hand out the
  // same bot id, which Kovan rightly takes for the same Telegram bot. The ranges keep every id
  // in the shape described above.
  private users = randomInt(0, 50_000) * 2;
  private bots = randomInt(0, 1_000_000);
  private basicGroups = randomInt(0, 1_000_000);
  private supergroups = randomInt(0, 1_000_000);

  /** How far each counter got, so a restored sandbox never hands out an id twice. */
  counters(): IdCounters {
    return { users: this.users, bots: this.bots, basicGroups: this.basicGroups, supergroups: this.supergroups };
  }

  restore(counters: IdCounters): void {
    ({ users: this.users, bots: this.bots, basicGroups: this.basicGroups, supergroups: this.supergroups } = counters);
  }

  /** Odd users get a 9-digit id (< 2^31), even users a 10-digit one (> 2^32). */
  nextUserId(): number {
    this.users += 1;
    return this.users % 2 === 1 ? 100_000_000 + this.users * 7_919 : 5_000_000_000 + this.users * 7_919;
  }

  /** Bot ids as BotFather issues them today: 10 digits, above 2^32. */
  nextBotId(): number {
    this.bots += 1;
    return 7_000_000_000 + this.bots * 1_009;
  }

  /** Basic groups: negative, and like today's ones larger than 2^31 in magnitude. */
  nextBasicGroupId(): number {
    this.basicGroups += 1;
    return -(4_000_000_000 + this.basicGroups * 1_013);
  }

  /** Supergroups: "-100" followed by the channel id, the form every client has to handle. */
  nextSupergroupId(): number {
    this.supergroups += 1;
    return -(1_000_000_000_000 + 2_000_000_000 + this.supergroups * 1_019);
  }
}

/** Characters of the secret half of a token and of invite links. */
function randomUrlSafe(length: number): string {
  return randomBytes(length).toString('base64url').slice(0, length);
}

/** `<bot id>:<35 characters>`, the format of BotFather's tokens. */
export function generateBotToken(botId: number): string {
  return `${botId}:AA${randomUrlSafe(33)}`;
}

/** Matches a syntactically valid token; anything else is not a Bot API URL at all. */
export const botTokenPattern = /^(\d{1,20}):[A-Za-z0-9_-]{30,}$/;

/** Opaque 64-bit decimal ids, as callback and pre-checkout query ids look. */
export function generateQueryId(): string {
  return BigInt(`0x${randomBytes(8).toString('hex')}`).toString().slice(0, 19);
}

/** `https://t.me/+…`, a chat invite link. */
export function generateInviteLink(): string {
  return `https://t.me/+${randomUrlSafe(16)}`;
}

/** `https://t.me/$…`, an invoice link. */
export function generateInvoiceLink(): string {
  return `https://t.me/$${randomUrlSafe(22)}`;
}

/** Star payment charge ids start with "stx". */
export function generatePaymentChargeId(): string {
  return `stx${randomUrlSafe(40)}`;
}

/** chat_instance of callback queries: opaque, but the same for every query from one chat. */
export function chatInstance(botId: number, chatId: number): string {
  return BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(`${botId}/${chatId}`).digest('hex').slice(0, 16)}`)).toString();
}
