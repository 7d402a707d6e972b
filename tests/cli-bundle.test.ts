import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findInCatalogue } from '@vramkit/models';
import { fakeSha, ggufFromConfig, startHubServer } from '@vramkit/models/testing';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/**
 * The bundled `vramkit` binary (apps/cli/dist/bin, built by `npm run build`) starts fast because it
 * loads zod, yaml and the Hugging Face clients only on the paths that use them. These tests run the
 * binary with a preload that prints every module it resolves, and check which ones each command loads.
 */
const root = join(import.meta.dirname, '..');
const bin = join(root, 'apps/cli/bin/vramkit.js');
const tracer = join(import.meta.dirname, 'fixtures/trace-loads.mjs');
const config = join(root, 'packages/models/catalogue/configs/Qwen__Qwen3-8B.json');
const env = { ...process.env, HF_HUB_OFFLINE: '1' };

function loads(args: string[], cwd = root): { status: number | null; modules: Set<string> } {
  const r = spawnSync(process.execPath, ['--import', tracer, bin, ...args], { cwd, env, encoding: 'utf8' });
  const modules = new Set(r.stderr.split('\n').flatMap((l) => (l.startsWith('load ') ? [l.slice(5)] : [])));
  return { status: r.status, modules };
}
const heavy = (modules: Set<string>) =>
  ['zod', 'yaml', '@huggingface/hub', '@huggingface/gguf'].filter((m) => modules.has(m));

describe('the vramkit bundle', () => {
  it('is one file plus lazily loaded chunks, with the workspace packages inlined', () => {
    const files = readdirSync(join(root, 'apps/cli/dist/bin')).filter((f) => f.endsWith('.js'));
    expect(files).toContain('vramkit.js');
    const { modules } = loads(['estimate', config, '--json']);
    expect([...modules].filter((m) => m.startsWith('@vramkit/'))).toEqual([]);
  });

  it('an offline estimate of a config.json loads none of zod, yaml or the Hub clients', () => {
    const r = loads(['estimate', config, '--context', '32768', '--json']);
    expect(r.status).toBe(0);
    expect(heavy(r.modules)).toEqual([]);
  });

  it('vramkit schema loads zod, and --from loads yaml (the tracer sees lazy loads)', () => {
    const schema = loads(['schema', 'estimate']);
    expect(schema.status).toBe(0);
    expect(heavy(schema.modules)).toEqual(['zod']);
    const train = loads(
      ['estimate', '--mode', 'train', '--from', 'axolotl-qlora.yml'],
      join(root, 'apps/cli/src/train/__fixtures__'),
    );
    expect(train.status).toBe(0);
    expect(heavy(train.modules)).toEqual(['yaml']);
  });

  it('the lazily loaded Hub and GGUF clients work through their facades (a loopback Hub)', async () => {
    const llama = findInCatalogue('meta-llama/Meta-Llama-3.1-8B')!.config;
    const q4 = ggufFromConfig(llama, 'Llama-3.1-8B-Instruct');
    const repo = 'acme/Llama-3.1-8B-GGUF';
    const server = await startHubServer([{ id: repo, sha: fakeSha(repo), files: q4.files }]);
    try {
      const home = mkdtempSync(join(tmpdir(), 'vramkit-bundle-'));
      const { stdout } = await run(process.execPath, [bin, 'estimate', repo, '--quant', 'Q4_K_M', '--json'], {
        cwd: home,
        env: {
          ...process.env,
          HOME: home,
          HF_ENDPOINT: server.url,
          VRAMKIT_CACHE_DIR: join(home, 'cache'),
          HF_HUB_OFFLINE: '',
        },
      });
      const out = JSON.parse(stdout);
      expect(out.model.source).toMatch(/^gguf:/);
      expect(out.bytes.weights).toBe(q4.dataBytes);
    } finally {
      await server.close();
    }
  });
});
