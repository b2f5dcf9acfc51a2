import type { Message } from 'grammy/types';
import type { SandboxCore } from '../core.js';
import type { ResponseParameters } from '../errors.js';
import { BotApiError, notFound, unauthorized } from '../errors.js';
import type { Fault } from '../faults.js';
import { botTokenPattern } from '../ids.js';
import type { BotRecord } from '../records.js';
import type { MethodCall } from './method.js';
import { DescribedResult } from './method.js';
import { flattenJsonParams, ParamReader } from './params.js';
import { findMethod } from './registry.js';

/** Telegram's response envelope. */
export type Envelope =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: ResponseParameters };

/** What the HTTP layer must do with a call: answer an envelope, or misbehave as a fault says. */
export type ApiOutcome =
  | { kind: 'envelope'; status: number; envelope: Envelope }
  | { kind: 'bad-gateway' }
  | { kind: 'drop-connection' };

/** One incoming Bot API request, transport-independent. */
export interface ApiRequest {
  token: string;
  method: string;
  /** Arguments as strings, the way the Bot API server reads them. */
  args: ReadonlyMap<string, string>;
  /** Arguments as the client sent them, for the call log. */
  raw: Record<string, unknown>;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

/** Telegram's error envelope for a BotApiError. */
export function errorEnvelope(error: BotApiError): Envelope {
  return {
    ok: false,
    error_code: error.errorCode,
    description: error.description,
    ...(error.parameters ? { parameters: error.parameters } : {}),
  };
}

/** The error envelope with the HTTP status Telegram uses for it (the error_code). */
export function errorOutcome(error: BotApiError): ApiOutcome {
  return { kind: 'envelope', status: error.errorCode, envelope: errorEnvelope(error) };
}

function faultError(fault: Extract<Fault, { errorCode: number }>): BotApiError {
  const parameters: ResponseParameters = {
    ...(fault.retryAfter === undefined ? {} : { retry_after: fault.retryAfter }),
    ...(fault.migrateToChatId === undefined ? {} : { migrate_to_chat_id: fault.migrateToChatId }),
  };
  return new BotApiError(fault.errorCode, fault.description, Object.keys(parameters).length > 0 ? parameters : undefined);
}

async function run(call: MethodCall, handler: (call: MethodCall) => unknown): Promise<ApiOutcome> {
  try {
    const value = await handler(call);
    const envelope: Envelope =
      value instanceof DescribedResult
        ? { ok: true, result: value.result, description: value.description }
        : { ok: true, result: value };
    return { kind: 'envelope', status: 200, envelope };
  } catch (error) {
    if (error instanceof BotApiError) return errorOutcome(error);
    const reason = error instanceof Error ? error.message : String(error);
    return errorOutcome(new BotApiError(500, `Internal Server Error: sandbox failure: ${reason}`));
  }
}

/**
 * Executes one Bot API call: token check (malformed → 404 "Not Found", unknown or revoked → 401
 * "Unauthorized"), case-insensitive method lookup (unknown → 404), armed faults, the method itself,
 * and the call log.
 */
export async function executeBotApiCall(core: SandboxCore, request: ApiRequest): Promise<ApiOutcome> {
  if (!botTokenPattern.test(request.token)) return errorOutcome(notFound());
  const bot = core.store.botsByToken.get(request.token);
  const revokedBot = bot ? undefined : core.store.revokedTokens.get(request.token);
  const method = findMethod(request.method);
  const methodName = method?.name ?? request.method;
  const posted: Message[] = [];
  const log = (outcome: ApiOutcome, botId: number): ApiOutcome => {
    const envelope = outcome.kind === 'envelope' ? outcome.envelope : undefined;
    core.calls.record({
      botId,
      method: methodName,
      params: request.raw,
      ok: envelope?.ok === true,
      ...(envelope && !envelope.ok ? { errorCode: envelope.error_code, description: envelope.description } : {}),
      ...(outcome.kind === 'envelope' ? {} : { description: `fault: ${outcome.kind}` }),
      messages: posted,
      at: Date.now(),
    });
    return outcome;
  };
  if (!bot) {
    const outcome = errorOutcome(unauthorized());
    return revokedBot === undefined ? outcome : log(outcome, revokedBot);
  }
  if (!method) return log(errorOutcome(notFound()), bot.id);

  const fault = core.faults.take(bot.id, method.name);
  if (fault?.kind === 'bad-gateway') return log({ kind: 'bad-gateway' }, bot.id);
  if (fault?.kind === 'drop-connection' && !fault.afterExecuting) return log({ kind: 'drop-connection' }, bot.id);
  if (fault && fault.kind !== 'drop-connection') return log(errorOutcome(faultError(fault)), bot.id);

  const call: MethodCall = {
    core,
    bot,
    params: new ParamReader(request.args),
    signal: request.signal,
    posted,
    runAsBot: (name, params) => replayAsBot(core, bot, name, params),
  };
  const outcome = await run(call, method.handler);
  return log(fault?.kind === 'drop-connection' ? { kind: 'drop-connection' } : outcome, bot.id);
}

/** Executes a method a webhook answered with, as the bot (the result goes nowhere, as on Telegram). */
async function replayAsBot(core: SandboxCore, bot: BotRecord, method: string, params: Record<string, unknown>): Promise<void> {
  await executeBotApiCall(core, {
    token: bot.token,
    method,
    args: flattenJsonParams(params),
    raw: params,
    signal: new AbortController().signal,
  });
}
