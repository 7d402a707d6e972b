// Builds the docs site: generated pages (accuracy, seed figures) by running the library on the
// repository's data, the API reference from TSDoc (TypeDoc), then VitePress into dist/.
// `--prepare-only` stops before VitePress (used by `docs:dev`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, '..');
const root = join(app, '..', '..');
// Inside node_modules so that no linter or formatter reads the bundle.
const tmp = join(app, 'node_modules', '.cache', 'docs-generate');
mkdirSync(tmp, { recursive: true });

// The generators import the packages from source (and their TS fixtures), bundled for plain Node;
// @vramkit/accuracy resolves to its source through its workspace link.
const alias = {
  '@vramkit/core': join(root, 'packages/core/src/index.ts'),
  '@vramkit/quant': join(root, 'packages/quant/src/index.ts'),
  '@vramkit/models': join(root, 'packages/models/src/index.ts'),
};
/**
 * The report's readers find the repository's data from their own file (`new URL(…, import.meta.url)`),
 * which a bundle would point at itself: each source file keeps its own URL instead.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${join('node_modules', '')}`)) return undefined;
      const text = await readFile(args.path, 'utf8');
      return {
        contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
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
  plugins: [ownImportMetaUrl],
});
const { generate } = await import(pathToFileURL(out).href);
await generate({ out: join(app, 'src', 'generated'), public: join(app, 'src', 'public') });

rmSync(join(app, 'src', 'api'), { recursive: true, force: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
execFileSync(bin('typedoc'), ['--options', join(here, 'typedoc.json')], { cwd: app, stdio: 'inherit' });
fixApiMarkdown(join(app, 'src', 'api'));

/**
 * TSDoc comments are hard-wrapped, so an inline code span can continue on a line that starts with
 * `<name>`, which Vue's template compiler then reads as an unclosed tag. Joining such a line to the
 * previous one (outside fenced code) keeps the span whole. TypeDoc copies the Markdown files a
 * README links to (the root README) into `_media/` without their images, so a relative image there
 * becomes its alt text: the bundler would otherwise fail on a path that does not exist.
 */
function fixApiMarkdown(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) fixApiMarkdown(path);
    else if (entry.name.endsWith('.md')) {
      const parts = readFileSync(path, 'utf8').split(/(^```[\s\S]*?^```)/m);
      const prose = (p) =>
        p
          .replace(/\n(?=<[A-Za-z!/])/g, ' ')
          .replace(/\{\{/g, '&#123;&#123;')
          .replace(/!\[([^\]]*)\]\((?!https?:|data:)[^)]*\)/g, '*$1*');
      const fixed = parts.map((p) => (p.startsWith('```') ? p : prose(p))).join('');
      writeFileSync(path, fixed);
    }
  }
}

if (!process.argv.includes('--prepare-only')) {
  execFileSync(bin('vitepress'), ['build', 'src'], { cwd: app, stdio: 'inherit' });
}
