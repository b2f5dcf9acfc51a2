import { Liquid, LiquidError } from 'liquidjs';
import { AppError } from '../platform/errors.js';
import { escapeTelegramHtml, maxMessageLength, telegramHtmlProblem, telegramTextLength, telegramVisibleText } from './telegram-html.js';

/**
 * The variables a template may use. Values come from Telegram users and groups, so they
 * are escaped for Telegram HTML when rendered; the template's own markup is not.
 */
export const templateVariables = {
  first_name: 'The person’s first name',
  last_name: 'The person’s last name (may be empty)',
  full_name: 'First and last name',
  username: 'The @username without @ (may be empty)',
  mention: 'A link that mentions the person',
  user_id: 'The person’s Telegram id',
  group_title: 'The group’s title',
  member_count: 'Members in the group',
  bot_username: 'Your bot’s @username without @',
  date: 'Today’s date in your time zone (YYYY-MM-DD)',
  time: 'The time now in your time zone (HH:MM)',
} as const;

/** Markup Kovan itself built (a mention link) around escaped parts: output as it is. */
export class SafeHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type TemplateVariable = keyof typeof templateVariables;

export type TemplateVariables = Partial<Record<TemplateVariable, string | number | SafeHtml>>;

/**
 * What a post to groups (a schedule, a broadcast) can fill per group: it is addressed to
 * nobody in particular, so the person's variables have no value there and are refused.
 */
export const groupPostVariables = ['group_title', 'member_count', 'bot_username', 'date', 'time'] as const satisfies readonly TemplateVariable[];

const everyVariable = Object.keys(templateVariables) as TemplateVariable[];

/** A link that mentions a user by id, with the visible name escaped. */
export function mentionOf(userId: number, name: string): SafeHtml {
  return new SafeHtml(`<a href="tg://user?id=${userId}">${escapeTelegramHtml(name)}</a>`);
}

/** Sample data for previews and for checking a template when it is saved. */
export const sampleVariables: Required<TemplateVariables> = {
  first_name: 'Ayşe', last_name: 'Yılmaz', full_name: 'Ayşe Yılmaz', username: 'ayse', mention: mentionOf(5_000_000_001, 'Ayşe'),
  user_id: 5_000_000_001, group_title: 'Kovan Community <Test>', member_count: 1234, bot_username: 'kovan_demo_bot', date: '2026-11-26', time: '14:32',
};

/**
 * Liquid (liquidjs): a well-kept, sandboxed template language — no code execution, strict
 * variables and filters, bounded parse/render time and memory. Basic templates use
 * `{first_name}`; these are rewritten to Liquid output tags. Tags (`{% if %}`) and filters
 * (`| upcase`) make a template *advanced* (Premium).
 */
const liquid = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  outputEscape: (value: unknown) => (value instanceof SafeHtml ? value.html : escapeTelegramHtml(String(value ?? ''))),
  parseLimit: 20_000,
  renderLimit: 200,
  memoryLimit: 2_000_000,
  cache: 500,
});

const basicVariable = /\{(\w+)\}/g;

function toLiquid(content: string): string {
  // `{name}` → `{{ name }}`, leaving `{{ … }}` and `{% … %}` as they are.
  return content.replace(/(?<![{%])\{(\w+)\}(?!})/g, (_, name: string) => `{{ ${name} }}`);
}

/** True when the template uses Liquid tags or filters (a Premium feature). */
export function isAdvancedTemplate(content: string): boolean {
  return /\{%/.test(content) || /\{\{[^}]*\|/.test(content);
}

export interface TemplateProblem {
  line: number;
  message: string;
}

/**
 * Checks a template the way sending would use it: it must parse, render with sample data
 * (unknown variables are errors), and give Telegram HTML that Telegram accepts. Throws a
 * 400 naming the line and the reason.
 */
export async function validateTemplate(content: string): Promise<void> {
  const problem = await templateProblem(content);
  if (problem) {
    throw new AppError('validation_failed', `Template problem on line ${problem.line}: ${problem.message}`, {
      fields: [{ field: 'content', message: `line ${problem.line}: ${problem.message}` }],
      line: problem.line,
    });
  }
}

/**
 * The first problem sending `content` would meet, or undefined. `variables` are those the
 * sender will fill (default: all); any other is unknown. The length is judged as Telegram
 * judges it: the rendered text after its markup is parsed away, at most 4096 characters.
 */
export async function templateProblem(content: string, variables: readonly TemplateVariable[] = everyVariable): Promise<TemplateProblem | undefined> {
  const known = new Set<string>(variables);
  const unknown = [...content.matchAll(basicVariable)].find((m) => !known.has(m[1]!) && !content.slice(0, m.index).endsWith('{'));
  if (unknown) return { line: lineOf(content, unknown.index ?? 0), message: `unknown variable {${unknown[1]}}; available: ${variables.join(', ')}` };
  let rendered: string;
  try {
    rendered = await liquid.parseAndRender(toLiquid(content), Object.fromEntries(variables.map((v) => [v, sampleVariables[v]])));
  } catch (error) {
    return { line: liquidLine(error) ?? 1, message: liquidMessage(error) };
  }
  const markup = telegramHtmlProblem(rendered);
  if (markup) return markup;
  if (telegramVisibleText(rendered) === '') return { line: 1, message: 'renders to an empty message' };
  const length = telegramTextLength(rendered);
  if (length > maxMessageLength) return { line: 1, message: `renders to ${length} characters; Telegram allows ${maxMessageLength}` };
  return undefined;
}

/**
 * Renders a saved template for sending. Variables are escaped; missing or empty ones are nil
 * (falsy in `{% if %}`). Not shortened: cutting HTML source can cut a tag in half, so a
 * text that real values make too long is refused by the outbox with its reason instead.
 */
export async function renderTemplate(content: string, variables: TemplateVariables): Promise<string> {
  const filled = Object.fromEntries(Object.keys(templateVariables).map((k) => {
    const value = variables[k as keyof TemplateVariables];
    return [k, value === '' || value === undefined ? null : value];
  }));
  return liquid.parseAndRender(toLiquid(content), filled);
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function liquidLine(error: unknown): number | undefined {
  if (!(error instanceof LiquidError) || !error.token) return undefined;
  try {
    return error.token.getPosition()[0];
  } catch {
    return undefined;
  }
}

function liquidMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // liquidjs appends ", line:N, col:M" — the line is reported separately.
  return message.replace(/, line:\d+, col:\d+$/, '').replace(/^undefined variable: /, 'unknown variable ');
}
