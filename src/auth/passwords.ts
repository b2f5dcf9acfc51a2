import argon2 from 'argon2';
import dumbPasswords from 'dumb-passwords';

/**
 * argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane). Each hash holds ~19 MiB and a
 * core for tens of milliseconds, so concurrent hashes are capped: a burst of logins queues
 * instead of exhausting memory.
 */
const hashOptions = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export const passwordLength = { min: 8, max: 128 } as const;

export class PasswordHasher {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  /** A real hash of a random password: verifying against it costs what a real check costs. */
  readonly #decoy: Promise<string>;

  constructor(readonly concurrency: number) {
    this.#decoy = this.hash(crypto.randomUUID());
  }

  hash(password: string): Promise<string> {
    return this.#limited(() => argon2.hash(password, hashOptions));
  }

  /** Constant-time check; `hash` undefined (unknown user) still spends the same time. */
  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    const target = hash ?? (await this.#decoy);
    const ok = await this.#limited(() => argon2.verify(target, password).catch(() => false));
    return ok && Boolean(hash);
  }

  async #limited<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await work();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}

/** Why a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < passwordLength.min) return `must be at least ${passwordLength.min} characters`;
  if (password.length > passwordLength.max) return `must be at most ${passwordLength.max} characters`;
  if (dumbPasswords.check(password)) return 'is one of the most common passwords; choose another';
  return undefined;
}
