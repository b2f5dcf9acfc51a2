import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { en } from '../../web/src/i18n/en.js';
import { tr } from '../../web/src/i18n/tr.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('Turkish and English have the same keys, none empty, with the same placeholders', () => {
  assert.deepEqual(Object.keys(tr).sort(), Object.keys(en).sort());
  for (const [key, text] of Object.entries(en)) {
    assert.ok(text.trim(), `en ${key} is empty`);
    const turkish: string = tr[key as keyof typeof en] ?? '';
    assert.ok(turkish.trim(), `tr ${key} is empty`);
    // Templates' own {variables} in help texts are examples, not placeholders; they must match too.
    assert.deepEqual(placeholders(turkish), placeholders(text), `placeholders of ${key} differ`);
  }
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : entry.name.endsWith('.tsx') ? [full] : [];
  });
}

test('no UI text is hard-coded in the screens: JSX text and labels go through t()', () => {
  // Names, symbols, and the tail of a type argument (`api<{ … }>(`, `Promise<void>`) the scan cannot tell from text.
  const allowed = /^(Kovan|English|Türkçe|api|Promise|:.*)$/;
  const problems: string[] = [];
  for (const file of sources(path.resolve(import.meta.dirname, '../../web/src'))) {
    const code = readFileSync(file, 'utf8').replace(/\{\/\*[\s\S]*?\*\/\}/g, '');
    // Text between a tag's end and the next tag on one line (type arguments like useState<T>() contain ( ; = and are skipped).
    for (const match of code.matchAll(/>([^<>{}\n;=()]*[A-Za-zÇĞİÖŞÜçğıöşü][^<>{}\n;=()]*)</g)) {
      const text = match[1]!.trim();
      if (text && !allowed.test(text)) problems.push(`${path.basename(file)}: "${text}"`);
    }
    for (const match of code.matchAll(/\b(?:aria-label|label|placeholder|title|hint|question)=["']([^"']*[A-Za-z]{3,}[^"']*)["']/g)) {
      problems.push(`${path.basename(file)}: attribute text "${match[1]}"`);
    }
  }
  assert.deepEqual(problems, []);
});
