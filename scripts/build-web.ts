/**
 * `npm run build`: builds the Mini App (web/ → web/dist) with Vite and reports what a phone
 * downloads before the first screen: the entry chunk and every chunk it imports statically,
 * gzip-compressed. Fails when that first-load JavaScript is over the budget (100 KB), because
 * the app opens inside Telegram on phones, often on mobile data.
 *
 * Prints one JSON line last: {"firstLoadJsGzipBytes": …, "budgetBytes": …, …}.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

export const budgetBytes = 100 * 1024;

const root = path.resolve(import.meta.dirname, '..');
const webDir = path.join(root, 'web');
const dist = path.join(webDir, 'dist');

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}

function gzipSize(file: string): number {
  return gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
}

/** The entry's chunk and its static imports, transitively (dynamic imports load later, on demand). */
function firstLoad(manifest: Record<string, ManifestChunk>): { js: string[]; css: string[] } {
  const js = new Set<string>();
  const css = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || js.has(chunk.file)) return;
    js.add(chunk.file);
    chunk.css?.forEach((file) => css.add(file));
    chunk.imports?.forEach(visit);
  };
  Object.entries(manifest).filter(([, chunk]) => chunk.isEntry).forEach(([key]) => visit(key));
  return { js: [...js], css: [...css] };
}

await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: 'warn' });
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
const { js, css } = firstLoad(manifest);
const jsBytes = js.reduce((sum, file) => sum + gzipSize(file), 0);
const cssBytes = css.reduce((sum, file) => sum + gzipSize(file), 0);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

for (const file of js) console.log(`  ${file}  ${kb(gzipSize(file))} gzip`);
for (const file of css) console.log(`  ${file}  ${kb(gzipSize(file))} gzip`);
console.log(`Mini App first-load JavaScript: ${kb(jsBytes)} gzip (budget ${kb(budgetBytes)}); CSS ${kb(cssBytes)} gzip`);
console.log(JSON.stringify({ firstLoadJsGzipBytes: jsBytes, firstLoadCssGzipBytes: cssBytes, budgetBytes, files: js }));
if (jsBytes > budgetBytes) {
  console.error(`Over budget by ${kb(jsBytes - budgetBytes)}: lazy-load a screen or drop a dependency.`);
  process.exit(1);
}
