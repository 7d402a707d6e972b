import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root, workspacePackages } from '../.ci/workspaces.mjs';

/**
 * The packages as a user gets them: `npm pack` of every publishable workspace package (after
 * `npm run build`), installed from the tarballs into a project outside the workspace, then used the
 * four ways users do: an ESM script, CommonJS `require()` (Node ≥ 20.19 loads ESM through it), the
 * README examples type-checked by TypeScript against the published .d.ts, and a browser bundle run in
 * headless Chromium. Needs the network or npm's cache for third-party dependencies (CI's npm ci fills it).
 */
const published = workspacePackages({ publishable: true });
const GIB = 1024 ** 3;
let project = '';

const sh = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) =>
  execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const node = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  sh(process.execPath, args, project, { ...process.env, HOME: project, HF_HUB_OFFLINE: '1', ...env });

beforeAll(() => {
  for (const { rel, pkg } of published) {
    for (const target of Object.values<string>(pkg.exports?.['.'] ?? {})) {
      if (!existsSync(join(root, rel, target)))
        throw new Error(`${pkg.name}: ${target} is missing; run npm run build first`);
    }
  }
  project = mkdtempSync(join(tmpdir(), 'vramkit-consumer-'));
  const tarballs = join(project, 'tarballs');
  mkdirSync(tarballs);
  const packed = JSON.parse(
    sh('npm', ['pack', '--json', '--pack-destination', tarballs, ...published.map((p) => p.dir)], root),
  ) as { name: string; filename: string }[];
  const dependencies = Object.fromEntries(
    packed.map((p) => [p.name, `file:./tarballs/${p.filename.replace(/^.*\//, '')}`]),
  );
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'vramkit-consumer', private: true, type: 'module', dependencies }, null, 2),
  );
  sh(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'],
    project,
  );
}, 600_000);

// Removing an installed node_modules takes a while on a busy disk.
afterAll(() => {
  if (project && !process.env.VRAMKIT_KEEP_CONSUMER) rmSync(project, { recursive: true, force: true });
}, 300_000);

describe('installed from tarballs', () => {
  it('installs every publishable package, each with only its files', () => {
    for (const { pkg } of published) {
      const installed = JSON.parse(readFileSync(join(project, 'node_modules', pkg.name, 'package.json'), 'utf8'));
      expect(installed.version).toBe(pkg.version);
      expect(existsSync(join(project, 'node_modules', pkg.name, 'src')), `${pkg.name} ships src/`).toBe(false);
    }
  });

  it('works from an ESM script: exact KV cache and Q4_K_M weights of Llama 3.1 8B', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { estimateInference, prepareModel } from '@vramkit/core';
       import { catalogueModel } from '@vramkit/models';
       import { builtinFormats, createFormatRegistry } from '@vramkit/quant';
       import { createAqlmFormats } from '@vramkit/quant-aqlm';
       const registry = createFormatRegistry(builtinFormats, createAqlmFormats().formats);
       const model = prepareModel(catalogueModel('meta-llama/Llama-3.1-8B').architecture);
       const e = estimateInference({ model, format: registry.get('Q4_K_M'), context: 4096 });
       console.log(JSON.stringify({ kv: e.parts.kvCache.bytes, weights: e.parts.weights.bytes, aqlm: registry.get('aqlm-1x16').id }));`,
    );
    const out = JSON.parse(node(['esm.mjs']));
    expect(out.kv).toBe(512 * 1024 ** 2);
    // llama.cpp's quantize table: Llama-3.1-8B Q4_K_M is 4.58 GiB of tensor data.
    expect((out.weights / GIB).toFixed(2)).toBe('4.58');
    expect(out.aqlm).toBe('aqlm-1x16');
  });

  it('works from CommonJS require() with the same answers', () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { kvCacheBytes } = require('@vramkit/core');
       const { catalogueModel } = require('@vramkit/models');
       const { builtinFormats } = require('@vramkit/quant');
       const m = catalogueModel('meta-llama/Llama-3.1-8B');
       console.log(JSON.stringify({ kv: kvCacheBytes(m.architecture, { tokens: 4096, batch: 1 }).bytes, formats: Object.keys(builtinFormats).length }));`,
    );
    const out = JSON.parse(node(['--no-warnings', 'cjs.cjs']));
    expect(out.kv).toBe(512 * 1024 ** 2);
    expect(out.formats).toBeGreaterThan(10);
  });

  it('runs the installed vramkit binary offline', () => {
    const out = JSON.parse(
      node([
        join(project, 'node_modules/@vramkit/cli/bin/vramkit.js'),
        'estimate',
        'Qwen/Qwen3-8B',
        '--context',
        '8192',
        '--json',
      ]),
    );
    expect(out.parameters.total).toBe(8_190_735_360);
    expect(out.bytes.kvCache).toBe(36 * 8192 * 2 * 8 * 128 * 2);
  });

  it('type-checks every README TypeScript example against the published types', () => {
    const readmes = [join(root, 'README.md'), ...published.map((p) => join(p.dir, 'README.md'))].filter((f) =>
      existsSync(f),
    );
    const files: string[] = [];
    for (const readme of readmes) {
      const blocks = [...readFileSync(readme, 'utf8').matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
      if (blocks.length === 0) continue;
      // A README's blocks read top to bottom as one program (later blocks use earlier names), so
      // each README becomes one module: its own scope, top-level await allowed.
      const name = `readme-${readme.slice(root.length + 1).replace(/[/.]/g, '_')}.ts`;
      writeFileSync(join(project, name), `${blocks.join('\n')}\nexport {};\n`);
      files.push(name);
    }
    expect(files.length).toBeGreaterThan(0);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM'],
          types: [],
          skipLibCheck: false,
        },
        files,
      }),
    );
    try {
      sh(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], project);
    } catch (e) {
      throw new Error(`README examples do not type-check:\n${(e as { stdout: string }).stdout}`);
    }
  }, 300_000);

  it('bundles core, quant and models for the browser and runs the estimate in headless Chromium', async () => {
    const { build } = await import('esbuild');
    writeFileSync(
      join(project, 'browser.js'),
      `import { estimateInference, formatGiB } from '@vramkit/core';
       import { catalogueModel, loadModel } from '@vramkit/models';
       import { builtinFormats, createFormatRegistry } from '@vramkit/quant';
       const q4 = createFormatRegistry(builtinFormats).get('Q4_K_M');
       const e = estimateInference({ model: catalogueModel('meta-llama/Llama-3.1-8B').architecture, format: q4, context: 4096 });
       window.result = { weights: e.parts.weights.bytes, kv: e.parts.kvCache.bytes, total: formatGiB(e.total), loadModel: typeof loadModel, node: typeof process !== 'undefined' };`,
    );
    // @huggingface/hub and @huggingface/gguf name their browser builds in the package.json "browser"
    // field, which esbuild ignores once "exports" is present; a consumer's esbuild config says it so.
    const browserBuild = (pkg: string) => join(project, 'node_modules', pkg, 'dist/browser/index.mjs');
    const bundle = await build({
      entryPoints: [join(project, 'browser.js')],
      absWorkingDir: project,
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
      alias: {
        '@huggingface/hub': browserBuild('@huggingface/hub'),
        '@huggingface/gguf': browserBuild('@huggingface/gguf'),
      },
    });
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'vramkit-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      await page.setContent('<!doctype html><title>vramkit</title>');
      await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
      const result = await page.evaluate(() => (window as unknown as { result: unknown }).result);
      expect(errors).toEqual([]);
      expect(result).toMatchObject({ kv: 512 * 1024 ** 2, loadModel: 'function', node: false });
      expect(((result as { weights: number }).weights / GIB).toFixed(2)).toBe('4.58');
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 300_000);
});
