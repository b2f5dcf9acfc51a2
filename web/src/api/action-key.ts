import { useRef } from 'preact/hooks';
import { api } from './client';

/** 128 random bits as hex; `crypto.randomUUID` needs a secure context, which a LAN address is not. */
function newKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * POST for a user action that creates work (send a broadcast, schedule a post, request a
 * plan), with one `Idempotency-Key` per action: pressing the button again after a lost
 * connection or a 503 resends the same request under the same key, so the server does the
 * work once and answers the second press with the first answer. A changed request is a
 * new action with a new key, and so is the next press after a success.
 */
export function useActionPost<T = unknown>(): (path: string, body: unknown) => Promise<T> {
  const pending = useRef<{ request: string; key: string } | undefined>(undefined);
  return async (path: string, body: unknown): Promise<T> => {
    const request = `${path}\n${JSON.stringify(body)}`;
    if (pending.current?.request !== request) pending.current = { request, key: newKey() };
    const result = await api<T>('POST', path, body, { idempotencyKey: pending.current.key });
    pending.current = undefined;
    return result;
  };
}
