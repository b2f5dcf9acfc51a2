import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveEvent } from './types';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

type Listener = (event: LiveEvent) => void;
const eventTypes: Array<LiveEvent['type']> = ['message_in', 'message_out', 'join', 'leave', 'join_request', 'delivery_failed', 'quota', 'bot_status', 'group'];
const listeners = new Set<Listener>();
const stateListeners = new Set<(state: LiveState) => void>();
let source: EventSource | undefined;
let state: LiveState = 'connecting';
/** The id of the last event received: a new stream resumes after it (the server replays what was missed). */
let lastEventId = '';

function setState(next: LiveState): void {
  state = next;
  for (const listener of stateListeners) listener(next);
}

/** One EventSource for the whole app, opened while someone listens; the browser reconnects it. */
function open(): void {
  if (source) return;
  setState('connecting');
  // The browser resends Last-Event-ID on its own reconnects; a stream opened anew asks for it in the URL.
  source = new EventSource(lastEventId ? `api/events?lastEventId=${encodeURIComponent(lastEventId)}` : 'api/events', { withCredentials: true });
  source.onopen = () => setState('live');
  source.onerror = () => {
    setState('reconnecting');
    // The browser retries by itself unless the server refused the stream; then retry here, later.
    if (source?.readyState !== EventSource.CLOSED) return;
    source = undefined;
    setTimeout(() => { if (listeners.size > 0) open(); }, 5000);
  };
  // The server names each event by its type (`event: message_in`), so each needs its own listener.
  for (const type of eventTypes) {
    source.addEventListener(type, (message) => {
      let event: LiveEvent;
      try { event = JSON.parse((message as MessageEvent<string>).data); } catch { return; }
      if ((message as MessageEvent).lastEventId) lastEventId = (message as MessageEvent).lastEventId;
      for (const listener of listeners) listener(event);
    });
  }
}

function closeIfUnused(): void {
  if (listeners.size > 0 || !source) return;
  source.close();
  source = undefined;
}

/** Calls `onEvent` for every live event of the tenant while mounted; returns the stream's state. */
export function useLiveEvents(onEvent: Listener): LiveState {
  const latest = useRef(onEvent);
  latest.current = onEvent;
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    const listener: Listener = (event) => latest.current(event);
    listeners.add(listener);
    stateListeners.add(setCurrent);
    open();
    setCurrent(state);
    return () => {
      listeners.delete(listener);
      stateListeners.delete(setCurrent);
      closeIfUnused();
    };
  }, []);
  return current;
}
