import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInCatalogue } from '@vramkit/models';
import { fakeSha, ggufFromConfig, type HubServer, repoFromConfig, startHubServer } from '@vramkit/models/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.js';

// The CLI against a loopback Hub (HF_ENDPOINT), never the real one.
const GGUF_REPO = 'acme/Llama-3.1-8B-GGUF';
let server: HubServer;
let dataBytes = 0;

beforeAll(async () => {
  const llama = findInCatalogue('meta-llama/Meta-Llama-3.1-8B')!.config;
  const q4 = ggufFromConfig(llama, 'Llama-3.1-8B-Instruct');
  dataBytes = q4.dataBytes;
  const q8 = Object.fromEntries(Object.entries(q4.files).map(([k, v]) => [k.replace('Q4_K_M', 'Q8_0'), v]));
  server = await startHubServer([
    { id: GGUF_REPO, sha: fakeSha(GGUF_REPO), files: { ...q4.files, ...q8 } },
    repoFromConfig('acme/gated-8b', llama, { gated: 'manual', noSafetensors: true }),
  ]);
});
afterAll(() => server.close());

async function run(argv: string[], env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'vramkit-hub-'));
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { HOME: cwd, HF_ENDPOINT: server.url, VRAMKIT_CACHE_DIR: join(cwd, 'cache'), ...env },
    cwd,
  });
  return { code, out, err };
}

describe('vramkit with a Hub', () => {
  it('lists the GGUF models of a repository on inspect without --quant', async () => {
    const r = await run(['inspect', GGUF_REPO]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/2 GGUF models/);
    expect(r.out).toMatch(/^Q4_K_M\s/m);
    expect(r.out).toMatch(/^Q8_0\s/m);
  });

  it('picks the GGUF file with --quant and costs the weights exactly as its header stores them', async () => {
    const r = await run(['estimate', GGUF_REPO, '--quant', 'Q4_K_M', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.format).toBe('stored');
    expect(out.bytes.weights).toBe(dataBytes);
    expect(out.model.source).toMatch(/^gguf:/);
  });

  it('fit and compare cost a GGUF file as stored, through the same format choice as estimate', async () => {
    const fit = await run(['fit', GGUF_REPO, '--quant', 'Q4_K_M', '--gpu', 'rtx-4090', '--json']);
    expect(fit.code, fit.err).toBe(0);
    const rows = JSON.parse(fit.out).rows;
    expect(rows.map((r: { format: string }) => r.format)).toEqual(['stored']);
    expect(rows[0].weightBytes).toBe(dataBytes);
    const cmp = await run([
      'compare',
      GGUF_REPO,
      '--quant',
      'Q4_K_M',
      '--gpu',
      'rtx-4090',
      '--engine',
      'llama.cpp',
      '--json',
    ]);
    expect(cmp.code, cmp.err).toBe(0);
    expect(JSON.parse(cmp.out).results[0].format).toBe('stored');
  });

  it('tells how to get access to a gated model, in one line', async () => {
    const r = await run(['estimate', 'acme/gated-8b']);
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/HF_TOKEN/);
  });
});
