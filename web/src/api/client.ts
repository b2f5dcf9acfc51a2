import { language } from '../i18n';

/** One problem with one field of a request, as the API names it (`username`, `settings.autoReply`). */
export interface FieldProblem {
  field: string;
  message: string;
  /** A stable code (e.g. `password_weak`) and its values: the Mini App words these from its dictionaries. */
  code?: string;
  params?: Record<string, string | number>;
}

/**
 * An API error (application/problem+json) or a lost connection (`code: 'network'`). Screens
 * show `fields` next to the fields and the rest next to the action that failed.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 0,
    readonly fields: FieldProblem[] = [],
    readonly details: Record<string, unknown> = {},
    readonly requestId?: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
const connectionListeners = new Set<Listener>();
const signedOutListeners = new Set<Listener>();
let online = true;
/** When a request last failed to reach the server; only a request sent after it proves the server is back. */
let lostAt = -Infinity;
let probe: ReturnType<typeof setTimeout> | undefined;

/** False while the server cannot be reached; a probe retries until it can. */
export function isOnline(): boolean {
  return online;
}

export function onConnectionChange(listener: Listener): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

/** Called when the API says the session is gone (expired, revoked, logged out elsewhere). */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

function setOnline(next: boolean): void {
  if (online === next) return;
  online = next;
  for (const listener of connectionListeners) listener();
}

/** Retries /healthz with back-off (1 s doubling to 15 s) until the server answers. */
function startProbing(delay = 1000): void {
  if (probe) return;
  probe = setTimeout(async () => {
    probe = undefined;
    try {
      const response = await fetch('healthz', { cache: 'no-store' });
      if (response.ok) return setOnline(true);
    } catch { /* still down */ }
    startProbing(Math.min(delay * 2, 15_000));
  }, delay);
}

function lostConnection(): ApiError {
  lostAt = performance.now();
  setOnline(false);
  startProbing();
  return new ApiError('network', 'network');
}

window.addEventListener('online', () => startProbing(100));

/**
 * Calls the Kovan API on this origin with the session cookie. Resolves with the JSON body
 * (undefined for 204); rejects with an {@link ApiError}. `idempotencyKey` makes a retry of
 * the same request safe (see `action-key.ts`).
 */
export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, options: { idempotencyKey?: string } = {}): Promise<T> {
  let response: Response;
  const sentAt = performance.now();
  try {
    response = await fetch(path.replace(/^\//, ''), {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json', 'accept-language': language(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw lostConnection();
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) {
    // A late answer to a request sent before the connection was lost says nothing about now.
    if (sentAt > lostAt) setOnline(true);
    return parsed as T;
  }
  if (!parsed?.code) {
    // A proxy's or load balancer's page, not Kovan's: the server is not reachable as it should be.
    if (response.status === 502 || response.status === 504) throw lostConnection();
    throw new ApiError('http_' + response.status, text.slice(0, 200) || response.statusText, response.status);
  }
  const error = new ApiError(parsed.code, parsed.detail ?? parsed.title ?? parsed.code, response.status, parsed.fields ?? [], parsed.details ?? {}, parsed.requestId);
  if (response.status === 401 && error.code === 'unauthenticated') for (const listener of signedOutListeners) listener();
  throw error;
}
