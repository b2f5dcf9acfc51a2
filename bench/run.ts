/**
 * `npm run bench -- <name> [options]`: runs `bench/<name>.ts`. Each benchmark parses its own
 * options from process.argv and prints one JSON line last.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const name = process.argv[2];
const here = import.meta.dirname;
const available = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.includes('-')).map((f) => f.slice(0, -3));
if (!name || !/^[a-z][a-z0-9]*$/.test(name) || !existsSync(path.join(here, `${name}.ts`))) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(2);
}
await import(`./${name}.ts`);
