// Builds the docs site: generated pages (accuracy, seed figures) by running the library on the
// repository's data, the API reference from TSDoc (TypeDoc), then VitePress into dist/.
// `--prepare-only` stops before VitePress (used by `docs:dev`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, '..');
const root = join(app, '..', '..');
// Inside node_modules so that no linter or formatter reads the bundle.
const tmp = join(app, 'node_modules', '.cache', 'docs-generate');
mkdirSync(tmp, { recursive: true });

// The generators import the packages from source (and their TS fixtures), bundled for plain Node.
const alias = {
  '@vramkit/core': join(root, 'packages/core/src/index.ts'),
  '@vramkit/quant': join(root, 'packages/quant/src/index.ts'),
  '@vramkit/models': join(root, 'packages/models/src/index.ts'),
};
const out = join(tmp, 'generate.mjs');
await build({
  entryPoints: [join(here, 'generate.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: out,
  alias,
  logLevel: 'warning',
  loader: { '.json': 'json' },
});
const { generate } = await import(pathToFileURL(out).href);
await generate({ root, out: join(app, 'src', 'generated') });

rmSync(join(app, 'src', 'api'), { recursive: true, force: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
execFileSync(bin('typedoc'), ['--options', join(here, 'typedoc.json')], { cwd: app, stdio: 'inherit' });
fixApiMarkdown(join(app, 'src', 'api'));

/**
 * TSDoc comments are hard-wrapped, so an inline code span can continue on a line that starts with
 * `<name>`, which Vue's template compiler then reads as an unclosed tag. Joining such a line to the
 * previous one (outside fenced code) keeps the span whole.
 */
function fixApiMarkdown(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) fixApiMarkdown(path);
    else if (entry.name.endsWith('.md')) {
      const parts = readFileSync(path, 'utf8').split(/(^```[\s\S]*?^```)/m);
      const fixed = parts
        .map((p) => (p.startsWith('```') ? p : p.replace(/\n(?=<[A-Za-z!/])/g, ' ').replace(/\{\{/g, '&#123;&#123;')))
        .join('');
      writeFileSync(path, fixed);
    }
  }
}

if (!process.argv.includes('--prepare-only')) {
  execFileSync(bin('vitepress'), ['build', 'src'], { cwd: app, stdio: 'inherit' });
}
