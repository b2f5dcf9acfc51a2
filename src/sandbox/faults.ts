/**
 * Faults a test can inject to see how a client copes: an error envelope of its choosing (any
 * code, description, retry_after or migrate_to_chat_id), an nginx-style 502 page, or a connection
 * that drops — before the method ran, or after it ran so the effect happened but the answer is lost.
 */
export type Fault =
  | {
      kind?: 'error';
      errorCode: number;
      description: string;
      retryAfter?: number;
      migrateToChatId?: number;
    }
  | { kind: 'bad-gateway' }
  | { kind: 'drop-connection'; afterExecuting?: boolean };

/** A fault and which calls it hits. */
export type FaultSpec = Fault & {
  /** Only calls of this method (case-insensitive); any method if omitted. */
  method?: string;
  /** How many matching calls fail; default 1. */
  times?: number;
};

interface ArmedFault {
  fault: Fault;
  method: string | undefined;
  remaining: number;
}

/** Faults armed per bot, consumed by the calls they match, first armed first used. */
export class FaultInjector {
  private readonly armed = new Map<number, ArmedFault[]>();

  /** Arms a fault for the next matching call(s) of a bot. */
  add(botId: number, spec: FaultSpec): void {
    const { method, times = 1, ...fault } = spec;
    if (!(times >= 1)) throw new RangeError('times must be at least 1');
    const list = this.armed.get(botId) ?? [];
    list.push({ fault: fault as Fault, method: method?.toLowerCase(), remaining: times });
    this.armed.set(botId, list);
  }

  /** The fault this call must suffer, if any; consumes one use of it. */
  take(botId: number, method: string): Fault | undefined {
    const list = this.armed.get(botId);
    const index = list?.findIndex((armed) => armed.method === undefined || armed.method === method.toLowerCase()) ?? -1;
    const armed = index >= 0 ? list?.[index] : undefined;
    if (!list || !armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining === 0) list.splice(index, 1);
    return armed.fault;
  }

  clear(): void {
    this.armed.clear();
  }
}
