import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/**
 * The Mini App imports the server's contract modules type-only (web/src/api/types.ts); that
 * only stays safe while a contract module imports nothing but zod (its schemas are the
 * API's response contract) and other contract modules, and the Mini App reaches into the
 * server through them alone, type-only, so no schema (nor zod) reaches its bundle.
 */
const src = path.resolve(import.meta.dirname, '../../src');
const web = path.resolve(import.meta.dirname, '../../web/src');

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+'([^']+)'/gm)].map((m) => m[1]!);

function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? files(full, keep) : keep(entry.name) ? [full] : [];
  });
}

test('a contract module imports only zod and other contract modules', () => {
  const contracts = files(src, (name) => name === 'contract.ts');
  assert.ok(contracts.length >= 15, `contract modules found: ${contracts.length}`);
  for (const file of contracts) {
    for (const specifier of importsOf(file)) {
      assert.match(specifier, /^(zod|(\.\/|\.\.\/[a-z-]+\/)contract\.js)$/, `${path.relative(src, file)} imports ${specifier}`);
    }
  }
});

test('the Mini App imports server code only from contract modules, and type-only', () => {
  for (const file of files(web, (name) => /\.tsx?$/.test(name))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^\s*(import|export)(\s+type)?\b[^'";]*?\bfrom\s+'([^']+)'/gm)) {
      const specifier = match[3]!;
      if (!path.resolve(path.dirname(file), specifier).startsWith(src + path.sep)) continue;
      assert.ok(match[2], `${path.relative(web, file)}: ${specifier} must be imported with \`import type\``);
      assert.match(specifier, /\/contract\.js$/, `${path.relative(web, file)} imports server code that is not a contract: ${specifier}`);
    }
  }
});
