// Bundle sizes against their budgets (bench/size-budgets.json): each case is bundled with esbuild,
// minified and tree-shaken as a consumer's bundler would, then gzipped (level 9). Cases: one
// function a web page imports (estimateInference), and every export path of every publishable
// workspace package in full (`import * as m`), for the browser unless the path is Node-only.
// Prints a table; exits 1 when a case exceeds its budget. Usage: node bench/size.mjs (after npm run build)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { root, workspacePackages } from '../.ci/workspaces.mjs';

const budgets = JSON.parse(readFileSync(join(root, 'bench/size-budgets.json'), 'utf8'));
/** Budget of a full entry that size-budgets.json does not list yet (a new package): generous, and flagged. */
const DEFAULT_BUDGET = budgets.default;

// @huggingface/hub and @huggingface/gguf map their entries to browser builds with the package.json
// "browser" field, which esbuild ignores when "exports" is present.
const browserAlias = Object.fromEntries(
  ['@huggingface/hub', '@huggingface/gguf'].map((p) => [p, join(root, 'node_modules', p, 'dist/browser/index.mjs')]),
);

/** Node-only export paths: their name says so (`./node`) or the package is a CLI or test helper. */
const isNodeEntry = (pkg, subpath) => subpath === './node' || subpath === './testing' || pkg.bin !== undefined;

async function gzipSize(contents, platform) {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform,
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    ...(platform === 'browser' ? { alias: browserAlias } : { packages: 'bundle' }),
  });
  const code = result.outputFiles[0].contents;
  return { raw: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
}

const cases = [
  {
    name: '@vramkit/core estimateInference (browser)',
    budget: budgets.cases['@vramkit/core estimateInference'],
    contents: `export { estimateInference } from '@vramkit/core';`,
    platform: 'browser',
  },
];
for (const { pkg } of workspacePackages({ publishable: true })) {
  const paths = pkg.exports ? Object.keys(pkg.exports).filter((p) => !p.endsWith('.json')) : [];
  for (const subpath of paths) {
    const spec = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
    const platform = isNodeEntry(pkg, subpath) ? 'node' : 'browser';
    cases.push({
      name: `${spec} (${platform}, full entry)`,
      budget: budgets.cases[spec],
      contents: `import * as m from '${spec}'; globalThis.m = m;`,
      platform,
    });
  }
  if (pkg.bin) {
    // The CLI's start-up bundle as it ships (dist/bin), not re-bundled.
    for (const target of Object.values(pkg.bin))
      cases.push({ name: `${pkg.name} bin ${target}`, budget: budgets.cases[`${pkg.name} bin`], file: target, pkg });
  }
}

let failed = 0;
console.log(`${'bundle'.padEnd(56)} ${'minified'.padStart(10)} ${'gzip'.padStart(10)} ${'budget'.padStart(10)}`);
for (const c of cases) {
  let size;
  if (c.file) {
    const pkgDir = workspacePackages().find((p) => p.pkg.name === c.pkg.name).dir;
    // The bin is a two-line shim importing the bundle; measure what starting it loads: the bundle
    // and the chunks it imports statically (not those behind a dynamic import()).
    const shim = readFileSync(join(pkgDir, c.file), 'utf8');
    const target = /import '([^']+)'/.exec(shim)?.[1];
    const files = new Set();
    const visit = (file) => {
      if (files.has(file)) return;
      files.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*"(\.\.?\/[^"]+)"/g)) visit(join(file, '..', m[1]));
    };
    visit(join(pkgDir, c.file, '..', target ?? '.'));
    const code = Buffer.concat([...files].map((f) => readFileSync(f)));
    size = { raw: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength };
  } else {
    try {
      size = await gzipSize(c.contents, c.platform);
    } catch (e) {
      // An entry that does not bundle for the browser (it imports Node built-ins) is sized for Node,
      // and says so: the budget still holds.
      if (c.platform !== 'browser') throw e;
      size = await gzipSize(c.contents, 'node');
      c.name = c.name.replace('(browser,', '(node: no browser bundle,');
    }
  }
  const budget = c.budget ?? DEFAULT_BUDGET;
  const over = size.gzip > budget;
  if (over) failed += 1;
  const kb = (n) => `${(n / 1000).toFixed(2)} kB`;
  console.log(
    `${c.name.padEnd(56)} ${kb(size.raw).padStart(10)} ${kb(size.gzip).padStart(10)} ${kb(budget).padStart(10)}${c.budget === undefined ? ' (default: add one to bench/size-budgets.json)' : ''}${over ? '  OVER BUDGET' : ''}`,
  );
}
if (failed > 0) {
  console.error(`${failed} bundle(s) over budget (bench/size-budgets.json; kB = 1000 bytes of gzip)`);
  process.exit(1);
}
