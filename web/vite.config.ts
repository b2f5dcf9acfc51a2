import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The Mini App build. Preact's JSX runtime through Vite's own transformer (no Babel preset),
 * one entry chunk, and a dev server that forwards /api to a running Kovan (`npm start`).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    manifest: true,
  },
  server: {
    proxy: { '/api': { target: process.env.KOVAN_API_URL ?? 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
