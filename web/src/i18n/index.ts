import { useEffect, useState } from 'preact/hooks';
import { en, type MessageKey } from './en';
import { tr } from './tr';

export type Language = 'en' | 'tr';
export const languages: Language[] = ['en', 'tr'];
const dictionaries: Record<Language, Record<MessageKey, string>> = { en, tr };
const storageKey = 'kovan.language';

let current: Language = 'en';
const listeners = new Set<() => void>();

function asLanguage(code: string | null | undefined): Language | undefined {
  const short = code?.slice(0, 2).toLowerCase();
  return languages.find((l) => l === short);
}

/**
 * The language to start in: the one chosen in Settings, else Telegram's `language_code`,
 * else the browser's; English when none of them is Turkish or English.
 */
export function detectLanguage(telegramCode: string | undefined): Language {
  return savedLanguage() ?? asLanguage(telegramCode) ?? navigator.languages.map(asLanguage).find(Boolean) ?? 'en';
}

/** The language chosen in Settings on this device, if any. */
export function savedLanguage(): Language | undefined {
  try {
    return asLanguage(localStorage.getItem(storageKey));
  } catch {
    return undefined; // storage blocked
  }
}

export function language(): Language {
  return current;
}

/** Switches the UI language; `remember` keeps the choice for the next visit. */
export function setLanguage(next: Language, remember = false): void {
  current = next;
  document.documentElement.lang = next;
  if (remember) {
    try { localStorage.setItem(storageKey, next); } catch { /* storage blocked */ }
  }
  for (const listener of listeners) listener();
}

/** Re-renders the caller when the language changes. */
export function useLanguage(): Language {
  const [, bump] = useState(0);
  useEffect(() => {
    const listener = () => bump((n) => n + 1);
    listeners.add(listener);
    return () => { listeners.delete(listener); };
  }, []);
  return current;
}

/** The UI text for `key` in the current language, with `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text = dictionaries[current][key] ?? en[key];
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole)) : text;
}

/** True when the dictionary has `key` (for texts chosen by an API code, e.g. error codes). */
export function hasText(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

const numberFormats = new Map<string, Intl.NumberFormat>();
export function formatNumber(value: number): string {
  const locale = current === 'tr' ? 'tr-TR' : 'en-GB';
  let format = numberFormats.get(locale);
  if (!format) numberFormats.set(locale, (format = new Intl.NumberFormat(locale)));
  return format.format(value);
}

export function formatDateTime(iso: string | Date, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' }): string {
  return new Intl.DateTimeFormat(current === 'tr' ? 'tr-TR' : 'en-GB', options).format(typeof iso === 'string' ? new Date(iso) : iso);
}

export function formatDay(day: string): string {
  return formatDateTime(`${day}T12:00:00Z`, { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

export function formatMoney(cents: number, currency: string): string {
  return new Intl.NumberFormat(current === 'tr' ? 'tr-TR' : 'en-GB', { style: 'currency', currency }).format(cents / 100);
}
