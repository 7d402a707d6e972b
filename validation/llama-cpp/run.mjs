// Runs one of the harness's TypeScript entry points on Node 20 (no type stripping there): bundles it
// with esbuild (node-llama-cpp stays external: it loads native binaries) and imports the bundle.
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const entry = process.argv[2] ?? 'validation/llama-cpp/regenerate.ts';
const dir = mkdtempSync(join(process.cwd(), 'node_modules', '.vramkit-harness-'));
const out = join(dir, 'entry.mjs');
try {
  await build({
    entryPoints: [resolve(entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    external: ['node-llama-cpp', 'node-llama-cpp/*'],
    logLevel: 'warning',
  });
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
