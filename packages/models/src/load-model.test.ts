import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCacheStore } from './cache/memory-store.js';
import { listCatalogue } from './catalogue/catalogue.js';
import { HubFetchError, OfflineError } from './hub/errors.js';
import { loadModel } from './load-model.js';
import { repoFromConfig } from './testing/fixture-repos.js';
import { type FixtureRepo, type HubServer, startHubServer } from './testing/hub-server.js';

const config = (id: string) => {
  const e = listCatalogue().find((c) => c.id === id);
  if (!e) throw new Error(`no catalogue entry ${id}`);
  return e.config;
};

// params.json (shared data): huggingface.js parse-safetensors-metadata.spec.ts asserts 8,030,261,248 for Llama-3.1-8B.
const LLAMA_31_8B = 8_030_261_248;

let server: HubServer;
let llama8b: FixtureRepo;
const base = () => ({ endpoint: server.url, retries: 0, timeoutMs: 5000, env: {} });

beforeAll(async () => {
  const llama = config('meta-llama/Meta-Llama-3.1-8B');
  const unknown = {
    ...config('meta-llama/Llama-3.2-1B-Instruct'),
    model_type: 'my_new_arch',
    architectures: ['MyNewArchForCausalLM'],
  };
  const multimodal = {
    model_type: 'llava',
    text_config: { ...config('meta-llama/Llama-3.2-1B-Instruct') },
    vision_config: { model_type: 'clip_vision_model', hidden_size: 1024 },
  };
  const llama1b = repoFromConfig('meta-llama/Llama-3.2-1B-Instruct', config('meta-llama/Llama-3.2-1B-Instruct'));
  const synth1b = llama1b.safetensors!.total;
  llama8b = repoFromConfig('meta-llama/Llama-3.1-8B', llama, { shards: 4, hubTotal: LLAMA_31_8B });
  server = await startHubServer([
    llama8b,
    repoFromConfig('meta-llama/Llama-3.1-70B', config('meta-llama/Meta-Llama-3.1-70B'), {
      gated: 'manual',
      noSafetensors: true,
    }),
    repoFromConfig('acme/new-arch-1b', unknown, { shards: 2 }),
    repoFromConfig('acme/mismatch', config('Qwen/Qwen3-0.6B'), { hubTotal: 123 }),
    {
      ...llama1b,
      id: 'acme/llava-1b',
      files: { ...llama1b.files, 'config.json': jsonFile(multimodal) },
      safetensors: { parameters: { BF16: synth1b + 303_507_456 }, total: synth1b + 303_507_456 },
    },
    llama1b,
  ]);
  server.allowedTokens.add('hf_granted');
});
afterAll(() => server.close());

function jsonFile(value: unknown) {
  const head = new TextEncoder().encode(JSON.stringify(value));
  return { head, size: head.byteLength };
}

describe('loadModel', () => {
  it('loads Llama-3.1-8B from config.json + the safetensors totals in 2 requests and 8,030,261,248 parameters', async () => {
    server.reset();
    const spec = await loadModel('meta-llama/Llama-3.1-8B', base());
    expect(spec.parameters).toMatchObject({ synthesized: LLAMA_31_8B, hubSafetensors: LLAMA_31_8B, agree: true });
    expect(spec.inventorySource).toBe('synthesized');
    expect(spec.source.requests).toBe(2);
    expect(server.requests.map((r) => r.path.split('?')[0])).toEqual([
      '/api/models/meta-llama/Llama-3.1-8B/revision/HEAD',
      `/meta-llama/Llama-3.1-8B/resolve/${spec.source.sha}/config.json`,
    ]);
    expect(spec.source.bytes).toBeLessThan(8 * 1024);
    expect(spec.warnings).toEqual([]);
  });

  it('reads 4 shard headers with 8 range requests and 0 bytes of weights under exact: true', async () => {
    server.reset();
    const spec = await loadModel('meta-llama/Llama-3.1-8B', { ...base(), exact: true });
    expect(spec.inventorySource).toBe('safetensors');
    expect(spec.parameters.safetensorsHeaders).toBe(LLAMA_31_8B);
    expect(spec.parameters.agree).toBe(true);
    expect(spec.source.requests).toBe(2 + 4 * 2);
    expect(spec.source.bytes).toBeLessThan(2 * 1024 * 1024);
    const ranges = server.requests.filter((r) => r.range);
    expect(ranges).toHaveLength(4 * 2 * 2); // each range request is a 302 to the CDN, then a 206
    const shardsRead = [...server.maxRead].filter(([file]) => file.endsWith('.safetensors'));
    expect(shardsRead).toHaveLength(4);
    for (const [file, end] of shardsRead) {
      const shard = llama8b.files[file.split('/').pop()!]!;
      expect(end, file).toBe(shard.head.byteLength);
    }
    expect(spec.tensors.every((t) => t.dtype === 'BF16')).toBe(true);
  });

  it('maps an unknown model_type generically, warns, and takes the parameters from the safetensors headers', async () => {
    const spec = await loadModel('acme/new-arch-1b', base());
    expect(spec.inventorySource).toBe('safetensors');
    expect(spec.warnings.join(' ')).toContain('my_new_arch');
    expect(spec.parameters.safetensorsHeaders).toBe(spec.parameters.synthesized);
  });

  it('warns when the Hub total (123) and the config (596,049,920) disagree, and suggests the exact option', async () => {
    const spec = await loadModel('acme/mismatch', base());
    expect(spec.parameters.agree).toBe(false);
    expect(spec.warnings.join(' ')).toMatch(/`exact`/);
    expect(spec.warnings.join(' ')).not.toMatch(/--[a-z]/);
  });

  it('reports the 303,507,456 vision-tower parameters of a multimodal wrapper from the Hub total', async () => {
    const spec = await loadModel('acme/llava-1b', base());
    expect(spec.parameters.nonText).toBe(303_507_456);
    expect(spec.parameters.agree).toBe(true);
    expect(spec.architecture.family).toBe('llama');
  });

  it('says how to get access to a gated model without a token (401, GatedRepo)', async () => {
    const err = await loadModel('meta-llama/Llama-3.1-70B', base()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubFetchError);
    expect(err).toMatchObject({ code: 'HUB_UNAUTHORIZED', status: 401, hubErrorCode: 'GatedRepo' });
    expect((err as Error).message).toMatch(/Accept the license.*HF_TOKEN/);
  });

  it('says the token lacks access for a gated model (403) and loads with a granted HF_TOKEN', async () => {
    const denied = await loadModel('meta-llama/Llama-3.1-70B', { ...base(), env: { HF_TOKEN: 'hf_denied' } }).catch(
      (e: unknown) => e,
    );
    expect(denied).toMatchObject({ code: 'HUB_UNAUTHORIZED', status: 403 });
    expect((denied as Error).message).toMatch(/no access yet/);
    server.reset();
    const spec = await loadModel('meta-llama/Llama-3.1-70B', { ...base(), env: { HF_TOKEN: 'hf_granted' } });
    expect(spec.architecture.layers).toHaveLength(80);
    expect(server.requests.every((r) => r.authorization === 'Bearer hf_granted')).toBe(true);
  });

  it('answers 404 with "did you mean" from the catalogue', async () => {
    const err = await loadModel('Qwen/Qwen3-0.7B', base()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HUB_NOT_FOUND', hubErrorCode: 'RepoNotFound' });
    expect((err as HubFetchError).suggestions).toContain('Qwen/Qwen3-0.6B');
    expect((err as Error).message).toMatch(/Did you mean "Qwen\/Qwen3-0.6B"/);
  });

  it('asks the Hub search when no catalogue id is close: "acme/new-arch" → acme/new-arch-1b', async () => {
    const err = await loadModel('someone/new-arch', base()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HUB_NOT_FOUND', suggestions: ['acme/new-arch-1b'] });
  });

  it('rejects an unknown revision with HUB_NOT_FOUND (RevisionNotFound)', async () => {
    const err = await loadModel('meta-llama/Llama-3.1-8B', { ...base(), revision: 'v9' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HUB_NOT_FOUND', hubErrorCode: 'RevisionNotFound' });
  });

  it('loads a pinned revision sha and resolves config.json at that sha', async () => {
    const first = await loadModel('meta-llama/Llama-3.2-1B-Instruct', base());
    server.reset();
    const pinned = await loadModel('meta-llama/Llama-3.2-1B-Instruct', { ...base(), revision: first.source.sha! });
    expect(server.requests[0]!.path).toContain(`/revision/${first.source.sha}`);
    expect(pinned.source.sha).toBe(first.source.sha);
  });

  it('sends every request to HF_ENDPOINT and none elsewhere', async () => {
    const seen: string[] = [];
    const spy: typeof fetch = (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      seen.push(url);
      return fetch(input, init);
    };
    await loadModel('meta-llama/Llama-3.1-8B', {
      retries: 0,
      fetch: spy,
      env: { HF_ENDPOINT: server.url },
      exact: true,
    });
    expect(seen.length).toBe(10);
    expect(seen.every((u) => u.startsWith(`${server.url}/`))).toBe(true);
  });

  it('answers from the cache with --offline after one online load (0 requests)', async () => {
    const cache = createMemoryCacheStore();
    await loadModel('meta-llama/Llama-3.1-8B', { ...base(), cache, exact: true });
    server.reset();
    const spec = await loadModel('meta-llama/Llama-3.1-8B', { ...base(), cache, exact: true, offline: true });
    expect(server.requests).toHaveLength(0);
    expect(spec.source.fromCache).toBe(true);
    expect(spec.parameters.safetensorsHeaders).toBe(LLAMA_31_8B);
    expect(spec.warnings.join(' ')).toMatch(/offline: used the cached copy/);
  });

  it('re-uses cached config.json online: 1 request (model info) on the second load', async () => {
    const cache = createMemoryCacheStore();
    await loadModel('meta-llama/Llama-3.1-8B', { ...base(), cache });
    server.reset();
    const spec = await loadModel('meta-llama/Llama-3.1-8B', { ...base(), cache });
    expect(server.requests).toHaveLength(1);
    expect(spec.source.requests).toBe(1);
  });

  it('falls back to the embedded catalogue offline (HF_HUB_OFFLINE=1) with a notice', async () => {
    const spec = await loadModel('Qwen/Qwen3-8B', { env: { HF_HUB_OFFLINE: '1' } });
    expect(spec.source.kind).toBe('catalogue');
    expect(spec.warnings.join(' ')).toMatch(/embedded catalogue/);
  });

  it('throws OfflineError offline for a model neither cached nor catalogued', async () => {
    const err = await loadModel('acme/nowhere', { offline: true, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OfflineError);
    expect(err).toMatchObject({ code: 'OFFLINE' });
  });

  it('falls back to the catalogue with a notice when the Hub is unreachable', async () => {
    const spec = await loadModel('Qwen/Qwen3-8B', {
      endpoint: 'http://127.0.0.1:9',
      retries: 0,
      timeoutMs: 2000,
      env: {},
    });
    expect(spec.source.kind).toBe('catalogue');
    expect(spec.warnings[0]).toMatch(/could not be reached/);
  });

  it('reports progress after each of the 2 requests with running byte counts', async () => {
    const seen: { step: string; requests: number; bytes: number }[] = [];
    await loadModel('meta-llama/Llama-3.1-8B', {
      ...base(),
      onProgress: (p) => seen.push({ step: p.step, requests: p.requests, bytes: p.bytes }),
    });
    expect(seen.map((p) => [p.step, p.requests])).toEqual([
      ['model-info', 1],
      ['config', 2],
    ]);
    expect(seen[1]!.bytes).toBeGreaterThan(seen[0]!.bytes);
  });

  it('stops at once when the caller aborts the signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('user cancelled'));
    await expect(loadModel('meta-llama/Llama-3.1-8B', { ...base(), signal: controller.signal })).rejects.toThrow(
      /user cancelled/,
    );
  });
});
