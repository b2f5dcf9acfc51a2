import { z } from 'zod';

/**
 * Faults a test can inject to see how a client copes: an error envelope of its choosing (any
 * code, description, retry_after or migrate_to_chat_id), an nginx-style 502 page, or a connection
 * that drops — before the method ran, or after it ran so the effect happened but the answer is lost.
 */
export const faultInput = z.union([
  z.object({
    kind: z.literal('error').optional(),
    errorCode: z.number().int().min(400).max(599),
    description: z.string().min(1),
    retryAfter: z.number().int().positive().optional(),
    migrateToChatId: z.number().int().optional(),
  }),
  z.object({ kind: z.literal('bad-gateway') }),
  z.object({ kind: z.literal('drop-connection'), afterExecuting: z.boolean().optional() }),
]);
export type Fault = z.output<typeof faultInput>;

/** Which calls a fault hits: one method (case-insensitive) or any, and how many times (default 1). */
export const faultTargetInput = z.object({
  method: z.string().min(1).optional(),
  times: z.number().int().min(1).default(1),
});

/** A fault and the calls it hits, as failNext takes it. */
export const faultSpecInput = z.intersection(faultTargetInput, faultInput);
export type FaultSpec = z.input<typeof faultSpecInput>;

interface ArmedFault {
  fault: Fault;
  method: string | undefined;
  remaining: number;
}

/** Faults armed per bot, consumed by the calls they match, first armed first used. */
export class FaultInjector {
  private readonly armed = new Map<number, ArmedFault[]>();

  /** Arms a fault for the next matching call(s) of a bot. */
  add(botId: number, spec: z.output<typeof faultSpecInput>): void {
    const { method, times, ...fault } = spec;
    const list = this.armed.get(botId) ?? [];
    list.push({ fault, method: method?.toLowerCase(), remaining: times });
    this.armed.set(botId, list);
  }

  /** The fault this call must suffer, if any; consumes one use of it. */
  take(botId: number, method: string): Fault | undefined {
    const list = this.armed.get(botId) ?? [];
    const index = list.findIndex((armed) => armed.method === undefined || armed.method === method.toLowerCase());
    const armed = list[index];
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining === 0) list.splice(index, 1);
    return armed.fault;
  }

  clear(): void {
    this.armed.clear();
  }
}
