import vm from 'node:vm';

/** How long one regex rule may run against one message before it counts as no match. */
export const regexTimeLimitMs = 20;
/** Longest text a rule is matched against: Telegram messages are ≤ 4096 characters. */
const maxInput = 4096;

export interface RuleTrigger {
  triggerType: 'keyword' | 'regex' | 'command';
  trigger: string;
  caseSensitive: boolean;
}

export type MatchOutcome = 'match' | 'no_match' | 'timed_out';

/**
 * Regexes run inside a reused V8 context with a timeout: V8 can interrupt a regex that
 * backtracks catastrophically (`(a+)+$`), so a tenant's rule can cost at most 20 ms per
 * message instead of freezing the worker for everyone.
 */
const sandbox = vm.createContext(Object.create(null));
const regexTest = new vm.Script('new RegExp(pattern, flags).test(input)');

export function matchTrigger(rule: RuleTrigger, text: string, botUsername: string): MatchOutcome {
  const input = text.slice(0, maxInput);
  switch (rule.triggerType) {
    case 'command':
      return matchesCommand(rule.trigger, input, botUsername) ? 'match' : 'no_match';
    case 'keyword':
      return keywordsOf(rule.trigger).some((k) => fold(input, rule.caseSensitive).includes(fold(k, rule.caseSensitive))) ? 'match' : 'no_match';
    case 'regex':
      Object.assign(sandbox, { pattern: rule.trigger, flags: rule.caseSensitive ? 'u' : 'iu', input });
      try {
        return regexTest.runInContext(sandbox, { timeout: regexTimeLimitMs }) ? 'match' : 'no_match';
      } catch {
        return 'timed_out';
      }
  }
}

/** Comma-separated keywords; any of them matches. */
export function keywordsOf(trigger: string): string[] {
  return trigger.split(',').map((k) => k.trim()).filter(Boolean);
}

/**
 * Case- and accent-insensitive form for keyword matching that works for Turkish and
 * English alike: `FİYAT`, `fiyat` and `FIYAT` all become `fiyat`, and `PRICE` stays
 * `price` (the Turkish locale alone would turn it into `prıce`).
 */
function fold(text: string, caseSensitive: boolean): string {
  if (caseSensitive) return text;
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ı/g, 'i');
}

/** `/price`, `/price@my_bot` and `/price args` match the command `price` (or `/price`). */
function matchesCommand(trigger: string, text: string, botUsername: string): boolean {
  const command = trigger.replace(/^\//, '').toLowerCase();
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s|$)/.exec(text);
  if (!match) return false;
  const addressedElsewhere = match[2] !== undefined && match[2].toLowerCase() !== botUsername.toLowerCase();
  return match[1]!.toLowerCase() === command && !addressedElsewhere;
}

/** Why a regex is refused when saved (invalid syntax), or undefined. */
export function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
