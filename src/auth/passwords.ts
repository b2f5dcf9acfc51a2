import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';
import argon2 from 'argon2';
import { AppError } from '../platform/errors.js';

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

/**
 * zxcvbn's estimate of how many guesses a password takes, against common passwords, English
 * words and names, and keyboard patterns. Its feedback is left as keys (`common`,
 * `similarToCommon`, …) so each client words it in its own language. Levenshtein matching
 * is off: it costs several times more per check and the dictionaries already refuse the
 * passwords it would add.
 */
const strength = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
});

/** zxcvbn's scale runs 0–4; 3 is "safely unguessable" against an online attack and a slow hash. */
const minimumScore = 3;

/**
 * Why a password is refused, with a stable code and the values a client needs to say it in
 * the person's language: `password_too_short` {min}, `password_too_long` {max},
 * `password_weak` {warning: zxcvbn's key, possibly empty; suggestions: its keys, comma-separated}.
 */
export interface PasswordProblem {
  code: 'password_too_short' | 'password_too_long' | 'password_weak';
  params: Record<string, string | number>;
  /** The reason in English (the API's `detail`). */
  message: string;
}

/**
 * Why a password is refused, or undefined when it is acceptable. `personal` are things the
 * account already says (username, e-mail): a password built from them is easy to guess.
 */
export function passwordProblem(password: string, personal: readonly string[] = []): PasswordProblem | undefined {
  if (password.length < passwordLength.min) return { code: 'password_too_short', params: { min: passwordLength.min }, message: `must be at least ${passwordLength.min} characters` };
  if (password.length > passwordLength.max) return { code: 'password_too_long', params: { max: passwordLength.max }, message: `must be at most ${passwordLength.max} characters` };
  const { score, feedback } = strength.check(password, [...personal]);
  if (score >= minimumScore) return undefined;
  const warning = feedback.warning ?? '';
  const reason = warning ? english.translations.warnings[warning as keyof typeof english.translations.warnings] : undefined;
  return {
    code: 'password_weak',
    params: { warning, suggestions: feedback.suggestions.join(',') },
    message: `is too easy to guess${reason ? ` (${reason.replace(/\.$/, '').toLowerCase()})` : ''}; choose a longer one, e.g. a few unrelated words`,
  };
}

/** Refuses a password {@link passwordProblem} refuses: a 400 naming the `password` field, with the problem's code and values. */
export function assertPasswordAcceptable(password: string, personal: readonly string[] = []): void {
  const problem = passwordProblem(password, personal);
  if (!problem) return;
  throw new AppError('validation_failed', `password: Password ${problem.message}`, {
    fields: [{ field: 'password', message: `Password ${problem.message}`, code: problem.code, params: problem.params }],
  });
}
