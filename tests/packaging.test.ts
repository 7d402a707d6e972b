import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspacePackages } from '../.ci/workspaces.mjs';

/**
 * Tests the built packages as a consumer sees them: ESM import, CommonJS `require()` of the ESM
 * build (Node ≥ 20.19 loads ESM through require(esm)), and the CLI binary. Needs `npm run build`
 * (the README's test command builds first).
 */
const root = join(import.meta.dirname, '..');
const packages = ['packages', 'apps'].flatMap((d) =>
  readdirSync(join(root, d))
    .map((name) => join(root, d, name))
    .filter((dir) => existsSync(join(dir, 'package.json'))),
);
const manifests = packages.map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }));
// Private workspace packages (the test fixtures, the docs site) are never installed by anyone.
const libraries = manifests.filter((m) => m.pkg.exports?.['.'] && m.pkg.private !== true);

// HF_HUB_OFFLINE: the binary answers from the embedded catalogue and never reaches for the network.
const env = { ...process.env, HF_HUB_OFFLINE: '1' };
const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', env });

describe('built packages', () => {
  it.each(libraries.map((m) => [m.pkg.name, m.dir]))(
    '%s has its dist entry (run npm run build first)',
    (_name, dir) => {
      expect(existsSync(join(dir, 'dist', 'index.js')), 'dist/index.js missing: run `npm run build`').toBe(true);
      expect(existsSync(join(dir, 'dist', 'index.d.ts'))).toBe(true);
    },
  );

  it.each(libraries.map((m) => [m.pkg.name]))('%s is importable as ESM and requirable from CommonJS', (name) => {
    const esm = node([
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(name)}); console.log(Object.keys(m).length)`,
    ]);
    expect(Number(esm)).toBeGreaterThan(0);
    // require(esm) of a module with a default export adds an `__esModule` marker; the exports are the same.
    const cjs = node([
      '-e',
      `const m = require(${JSON.stringify(name)}); console.log(Object.keys(m).filter((k) => k !== '__esModule').length)`,
    ]);
    expect(Number(cjs)).toBe(Number(esm));
  });

  it('computes the same Llama 3 KV cache through require(esm) as through import', () => {
    const script = `const { normalizeConfig, catalogueModel } = require('@vramkit/models'); const { kvCacheBytes } = require('@vramkit/core');
      const m = catalogueModel('meta-llama/Llama-3.1-8B'); console.log(kvCacheBytes(m.architecture, { tokens: 4096, batch: 1 }).bytes)`;
    expect(node(['-e', script]).trim()).toBe(String(512 * 1024 ** 2));
  });

  it('every published manifest is ESM with types first, side effects declared, and release metadata', () => {
    for (const { rel, pkg } of workspacePackages({ publishable: true })) {
      expect(pkg.type, pkg.name).toBe('module');
      // false for libraries; the CLI lists its binary (the only file that runs on import).
      expect(pkg.sideEffects === false || Array.isArray(pkg.sideEffects), pkg.name).toBe(true);
      expect(pkg.files, pkg.name).toContain('dist');
      for (const target of Object.values<string>(pkg.bin ?? {}))
        expect(
          pkg.files.some((f: string) => target.replace(/^\.\//, '').startsWith(`${f}/`)),
          `${pkg.name} bin ${target}`,
        ).toBe(true);
      if (pkg.exports?.['.']) expect(Object.keys(pkg.exports['.'])[0], pkg.name).toBe('types');
      expect(pkg.license, pkg.name).toBe('MIT');
      expect(pkg.engines?.node, pkg.name).toBe('>=20.19');
      expect(pkg.repository, pkg.name).toMatchObject({
        type: 'git',
        url: expect.stringMatching(/^git\+https:\/\//),
        directory: rel,
      });
    }
  });

  it('the vramkit binary answers offline from the catalogue', () => {
    const out = node([
      join(root, 'apps/cli/bin/vramkit.js'),
      'estimate',
      'Qwen/Qwen3-8B',
      '--context',
      '8192',
      '--json',
    ]);
    const json = JSON.parse(out);
    expect(json.parameters.total).toBe(8_190_735_360);
    expect(json.bytes.kvCache).toBe(36 * 8192 * 2 * 8 * 128 * 2);
  });

  it('the vramkit binary exits 1 with one line on stderr for an unknown model', () => {
    try {
      execFileSync(process.execPath, [join(root, 'apps/cli/bin/vramkit.js'), 'estimate', 'nobody/nothing'], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
        env,
      });
      expect.unreachable();
    } catch (e) {
      const err = e as { status: number; stderr: string };
      expect(err.status).toBe(1);
      expect(err.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('browser bundle', () => {
  it('bundles core, quant and models for the browser and runs an estimate with no Node built-ins', async () => {
    const { build } = await import('esbuild');
    // @huggingface/hub and @huggingface/gguf map their entries to browser builds through the
    // package.json "browser" field; esbuild ignores it when "exports" is present, so say it here.
    const browserBuild = (pkg: string) => join(root, 'node_modules', pkg, 'dist/browser/index.mjs');
    const result = await build({
      stdin: {
        contents: `import { estimateInference } from '@vramkit/core';
          import { catalogueModel, loadModel } from '@vramkit/models';
          import { builtinFormats, createFormatRegistry } from '@vramkit/quant';
          const q4 = createFormatRegistry(builtinFormats).get('Q4_K_M');
          globalThis.result = { total: estimateInference({ model: catalogueModel('meta-llama/Llama-3.1-8B').architecture, format: q4 }).parts.weights.bytes, loadModel: typeof loadModel };`,
        resolveDir: root,
      },
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
    const code = result.outputFiles[0]!.text;
    // A context with only what browsers provide (no require, process or Buffer).
    const { runInNewContext } = await import('node:vm');
    const sandbox: Record<string, unknown> = {
      TextEncoder,
      TextDecoder,
      URL,
      URLSearchParams,
      AbortController,
      fetch,
      Headers,
      Request,
      Response,
      Blob,
      console,
      setTimeout,
      clearTimeout,
      queueMicrotask,
    };
    sandbox.globalThis = sandbox;
    sandbox.window = sandbox;
    sandbox.self = sandbox;
    runInNewContext(code, sandbox);
    expect(sandbox.result).toEqual({ total: expect.any(Number), loadModel: 'function' });
    // Llama-3.1-8B Q4_K_M: 4.58 GiB of tensor data (llama.cpp quantize README).
    expect(((sandbox.result as { total: number }).total / 1024 ** 3).toFixed(2)).toBe('4.58');
  });
});
