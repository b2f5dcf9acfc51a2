import { AppError } from '../platform/errors.js';

/**
 * The Telegram sandbox's control API (docs/SANDBOX.md), reached over HTTP at the same root
 * as its Bot API, so it works whether the sandbox runs in-process (demo) or on its own.
 */
export class SandboxControl {
  constructor(readonly apiRoot: string) {}

  /** True when the configured Telegram is the sandbox (never the real api.telegram.org). */
  async available(): Promise<boolean> {
    if (this.apiRoot.startsWith('https://api.telegram.org')) return false;
    try {
      return (await fetch(`${this.apiRoot}/sandbox/stats`, { signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>('POST', path, body);
  }

  async get<T>(path: string): Promise<T> {
    return this.#call<T>('GET', path);
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.apiRoot}/sandbox${path}`, {
      method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    if (!response.ok) throw new SandboxCallError(response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

export class SandboxCallError extends AppError {
  constructor(readonly httpStatus: number, body: string) {
    super('upstream_failed', `The Telegram sandbox refused: ${body.slice(0, 200)}`);
  }
}
