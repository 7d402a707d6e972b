import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCatalogue } from './catalogue/catalogue.js';
import { ggmlTypeLayout } from '@vramkit/core';
import { createMemoryCacheStore } from './cache/memory-store.js';
import { HubClient } from './hub/hub-client.js';
import { parseJsonObject } from './hub/safe-json.js';
import { loadModel } from './load-model.js';
import { createFsCacheStore } from './node/fs-cache-store.js';
import { loadLocalGguf, resolveModelArgument } from './node/resolve-model-argument.js';
import { fakeSha, repoFromConfig } from './testing/fixture-repos.js';
import { buildGgufFile, GGUF_VALUE, type GgufKv } from './testing/gguf-writer.js';
import { type HubServer, startHubServer } from './testing/hub-server.js';
import { parseSafetensorsHeader } from './safetensors/parse-header.js';
import { buildSafetensorsFile, type VirtualFile } from './testing/safetensors-writer.js';

// Hostile or broken inputs must end in a typed error, bounded by the timeout option, never a crash or hang.
const cfg = listCatalogue().find((e) => e.id === 'meta-llama/Llama-3.2-1B-Instruct')!.config;
const enc = (s: string) => new TextEncoder().encode(s);
const file = (head: Uint8Array, size = head.byteLength): VirtualFile => ({ head, size });
function lengthPrefix(n: bigint, rest = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + rest.byteLength);
  new DataView(out.buffer).setBigUint64(0, n, true);
  out.set(rest, 8);
  return out;
}
const configFile = file(enc(JSON.stringify({ ...cfg, model_type: 'strange_arch' })));
function repo(id: string, files: Record<string, VirtualFile>) {
  return { id, sha: fakeSha(id), files: { 'config.json': configFile, ...files } };
}

// Issue #15: a 1.8 KB GGUF with block_count 1e9 (or one tensor named for layer 999999999) took the
// process down with a heap out-of-memory; 2^32 layers threw an untyped "Invalid array length".
const F32 = ggmlTypeLayout('F32');
function tinyGguf(blockCount: bigint, tensorName = 'token_embd.weight'): VirtualFile {
  const kvs: GgufKv[] = [
    ['general.architecture', GGUF_VALUE.STRING, 'llama'],
    ['llama.block_count', GGUF_VALUE.UINT64, blockCount],
    ['llama.embedding_length', GGUF_VALUE.UINT32, 64],
    ['llama.attention.head_count', GGUF_VALUE.UINT32, 4],
    ['llama.feed_forward_length', GGUF_VALUE.UINT32, 128],
  ];
  const g = buildGgufFile(kvs, [{ name: tensorName, ne: [64, 100], type: F32 }]);
  return { head: g.head, size: g.size };
}
const hugeLayerName = 'model.layers.999999999999999999999.self_attn.q_proj.weight';
const hugeLayerSafetensors = buildSafetensorsFile([
  { name: hugeLayerName, dtype: 'BF16', shape: [2, 2] },
  { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [4, 2] },
]);

let server: HubServer;
beforeAll(async () => {
  const polluting = enc(`{"__proto__":{"polluted":"yes"},${JSON.stringify(cfg).slice(1)}`);
  server = await startHubServer([
    repo('evil/huge-header', { 'model.safetensors': file(lengthPrefix(2n ** 40n), 2 ** 41) }),
    repo('evil/truncated-header', { 'model.safetensors': file(lengthPrefix(5000n, enc('{"a":')), 100) }),
    repo('evil/not-json-header', { 'model.safetensors': file(lengthPrefix(8n, enc('<html>!!')), 16) }),
    repo('evil/traversal-index', {
      'model.safetensors.index.json': file(enc('{"weight_map":{"a":"../../../etc/passwd.safetensors"}}')),
    }),
    { ...repoFromConfig('evil/proto-config', cfg, { noSafetensors: true }), files: { 'config.json': file(polluting) } },
    repoFromConfig('slow/body', cfg, { noSafetensors: true }),
    {
      id: 'evil/gguf-1e9-blocks',
      sha: fakeSha('evil/gguf-1e9-blocks'),
      files: { 'm-Q4_K_M.gguf': tinyGguf(1_000_000_000n) },
    },
    {
      id: 'evil/gguf-2p32-blocks',
      sha: fakeSha('evil/gguf-2p32-blocks'),
      files: { 'm-Q4_K_M.gguf': tinyGguf(2n ** 32n) },
    },
    {
      id: 'evil/gguf-huge-layer-name',
      sha: fakeSha('evil/gguf-huge-layer-name'),
      files: { 'm-Q4_K_M.gguf': tinyGguf(2n, 'blk.999999999.attn_q.weight') },
    },
    {
      id: 'evil/safetensors-huge-layer-name',
      sha: fakeSha('evil/safetensors-huge-layer-name'),
      files: { 'config.json': file(enc(JSON.stringify(cfg))), 'model.safetensors': hugeLayerSafetensors },
    },
  ]);
});
afterAll(() => server.close());
const opts = () => ({ endpoint: server.url, retries: 0, timeoutMs: 500, env: {} });

describe('loadModel robustness', () => {
  it.each([
    ['evil/huge-header', /header length 1099511627776 exceeds 25000000 bytes/],
    ['evil/truncated-header', /truncated: header declares 5000 bytes but the file has 100/],
    ['evil/not-json-header', /not valid JSON/],
  ])('ends %s in PARSE_ERROR', async (id, message) => {
    const err = await loadModel(id, opts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PARSE_ERROR' });
    expect((err as Error).message).toMatch(message);
  });

  it('refuses a shard path with ../ in model.safetensors.index.json (INVALID_INPUT), sending no request for it', async () => {
    server.reset();
    const err = await loadModel('evil/traversal-index', opts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', path: 'file' });
    expect(server.requests.some((r) => r.path.includes('passwd'))).toBe(false);
  });

  it('drops __proto__ from a config.json and loads it without polluting Object.prototype', async () => {
    const spec = await loadModel('evil/proto-config', opts());
    expect(spec.architecture.layers).toHaveLength(16);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('turns a body that stalls halfway into HUB_TIMEOUT (500 ms option)', async () => {
    server.faults.stallBodyOn = '/slow/body/resolve/';
    try {
      const err = await loadModel('slow/body', opts()).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'HUB_TIMEOUT' });
    } finally {
      server.faults.stallBodyOn = undefined;
    }
  });
});

describe('bounds before allocation (issue #15)', () => {
  it.each([
    ['evil/gguf-1e9-blocks', /m-Q4_K_M\.gguf: llama\.block_count: must be an integer from 1 to 10,000/],
    ['evil/gguf-2p32-blocks', /llama\.block_count: must be an integer from 1 to 10,000 .*got 4294967296/],
    [
      'evil/gguf-huge-layer-name',
      /tensor "blk\.999999999\.attn_q\.weight" names layer 999999999, above the limit of 10000 layers/,
    ],
  ])('ends the Hub GGUF %s in PARSE_ERROR naming the field', async (id, message) => {
    const err = await loadModel(id, opts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PARSE_ERROR' });
    expect((err as Error).message).toMatch(message);
  });

  it('ends a Hub safetensors header with a tensor named for layer 10^21 in PARSE_ERROR (exact)', async () => {
    const err = await loadModel('evil/safetensors-huge-layer-name', { ...opts(), exact: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'PARSE_ERROR' });
    expect((err as Error).message).toMatch(/names layer 1e\+21, above the limit of 10000 layers/);
  });

  describe('local files', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'vramkit-bounds-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));
    const write = async (name: string, f: VirtualFile) => {
      const bytes = new Uint8Array(f.size);
      bytes.set(f.head);
      await writeFile(join(dir, name), bytes);
      return join(dir, name);
    };

    it.each([
      [1_000_000_000n, /llama\.block_count: must be an integer from 1 to 10,000/],
      [200_000n, /llama\.block_count: must be an integer from 1 to 10,000/],
      [2n ** 32n, /llama\.block_count/],
    ])('refuses a local GGUF with block_count %d (PARSE_ERROR, no allocation)', async (n, message) => {
      const path = await write(`b${n}.gguf`, tinyGguf(n));
      const err = await loadLocalGguf(path).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PARSE_ERROR' });
      expect((err as Error).message).toMatch(message);
    });

    it('refuses a local GGUF tensor named for layer 999999999', async () => {
      const path = await write('name.gguf', tinyGguf(2n, 'blk.999999999.attn_q.weight'));
      await expect(loadLocalGguf(path)).rejects.toMatchObject({
        code: 'PARSE_ERROR',
        message: expect.stringMatching(/names layer 999999999/),
      });
    });

    it('refuses a local folder whose safetensors header names layer 10^21', async () => {
      const folder = join(dir, 'st');
      await (await import('node:fs/promises')).mkdir(folder);
      await writeFile(join(folder, 'config.json'), JSON.stringify(cfg));
      const bytes = new Uint8Array(hugeLayerSafetensors.size);
      bytes.set(hugeLayerSafetensors.head);
      await writeFile(join(folder, 'model.safetensors'), bytes);
      await expect(resolveModelArgument(folder, { env: {} })).rejects.toMatchObject({
        code: 'PARSE_ERROR',
        message: expect.stringMatching(/names layer 1e\+21/),
      });
    });
  });
});

describe('cache entries validated like fresh input (issue #15)', () => {
  it.each([
    ['num_hidden_layers 1e9 in a well-formed entry', JSON.stringify({ ...cfg, num_hidden_layers: 1e9 })],
    ['an array', '[1,2,3]'],
  ])('refetches a cached config holding %s, with a notice', async (_what, body) => {
    const cache = createMemoryCacheStore();
    const first = await loadModel('evil/proto-config', { ...opts(), cache });
    await cache.set({ repo: 'evil/proto-config', revision: first.source.sha!, file: 'config.json' }, enc(body));
    const again = await loadModel('evil/proto-config', { ...opts(), cache });
    expect(again.architecture.layers).toHaveLength(16);
    expect(again.warnings.join('\n')).toMatch(
      /cached config\.json of evil\/proto-config does not hold a valid value.*fetched it again/,
    );
  });

  it('offline, reports a cached inventory that fails validation instead of using it', async () => {
    const cache = createMemoryCacheStore();
    await loadModel('evil/proto-config', { ...opts(), cache });
    const info = (await cache.list()).find((e) => e.file === 'vramkit/model-info.json')!;
    await cache.set(info, enc(JSON.stringify({ id: 'evil/proto-config', files: 'not a list', gated: false })));
    const err = await loadModel('evil/proto-config', { ...opts(), cache, offline: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'OFFLINE' });
    expect((err as Error).message).toMatch(/does not hold a valid value \(.*files/);
  });

  it.each([
    ['/proc', 'a folder of the kernel'],
    ['/proc/self/fd/0/cache', 'a path under standard input'],
  ])('degrades to no cache with a notice when the cache directory is %s (%s), without hanging', async (cacheDir) => {
    const spec = await loadModel('evil/proto-config', { ...opts(), cache: createFsCacheStore(cacheDir) });
    expect(spec.architecture.layers).toHaveLength(16);
    expect(spec.warnings.join('\n')).toMatch(/not caching: /);
  });

  it('degrades to no cache with a notice when the cache directory is a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vramkit-cache-file-'));
    try {
      await writeFile(join(dir, 'f'), 'x');
      const spec = await loadModel('evil/proto-config', { ...opts(), cache: createFsCacheStore(join(dir, 'f')) });
      expect(spec.warnings.join('\n')).toMatch(/not caching: .*not a directory/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('did-you-mean on a 404 (issue #15)', () => {
  it('never suggests the id typed, even when the catalogue holds it', async () => {
    const err = await loadModel('Qwen/Qwen3-8B', opts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HUB_NOT_FOUND' });
    expect((err as Error).message).not.toMatch(/Did you mean[^?]*"Qwen\/Qwen3-8B"/);
  });
});

// Issue #15: every parser has a wall-clock budget beside its byte budget. A budget of 0 is spent at
// the parser's first check, so these tests are deterministic (no timing assertion).
describe('wall-clock parse budgets (issue #15)', () => {
  const budgetError = (parser: string) => ({
    name: 'ParseTimeBudgetError',
    code: 'PARSE_ERROR',
    path: 'parseTimeBudgetMs',
    parser,
    budgetMs: 0,
  });
  const valid = buildSafetensorsFile([{ name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [4, 2] }]);

  it('the safetensors header parser stops at its budget and parses within the default one', () => {
    expect(() => parseSafetensorsHeader(valid.head, 'model.safetensors', undefined, { parseTimeBudgetMs: 0 })).toThrow(
      expect.objectContaining(budgetError('safetensors header')),
    );
    expect(parseSafetensorsHeader(valid.head, 'model.safetensors').entries).toHaveLength(1);
  });

  it('the config JSON parser stops at its budget, naming the parser and the budget', () => {
    let err: unknown;
    try {
      parseJsonObject(JSON.stringify(cfg), 'config.json', { parseTimeBudgetMs: 0 });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject(budgetError('config JSON'));
    expect((err as Error).message).toMatch(/config JSON "config\.json" took longer than its 0 ms budget/);
    expect(parseJsonObject(JSON.stringify(cfg), 'config.json').model_type).toBe('llama');
  });

  it('the GGUF header reader stops at its budget (local file), and a bad budget is a typed error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vramkit-budget-'));
    try {
      const path = join(dir, 'm.gguf');
      const g = tinyGguf(2n);
      const bytes = new Uint8Array(g.size);
      bytes.set(g.head);
      await writeFile(path, bytes);
      await expect(loadLocalGguf(path, { parseTimeBudgetMs: 0 })).rejects.toMatchObject(budgetError('GGUF header'));
      await expect(resolveModelArgument(path, { parseTimeBudgetMs: 0, env: {} })).rejects.toMatchObject(
        budgetError('GGUF header'),
      );
      await expect(loadLocalGguf(path, { parseTimeBudgetMs: -1 })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        path: 'parseTimeBudgetMs',
      });
      const cfgPath = join(dir, 'config.json');
      await writeFile(cfgPath, JSON.stringify(cfg));
      await expect(resolveModelArgument(cfgPath, { parseTimeBudgetMs: 0, env: {} })).rejects.toMatchObject(
        budgetError('config JSON'),
      );
      expect((await resolveModelArgument(cfgPath, { env: {} })).architecture.layers).toHaveLength(16);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('loadModel passes parseTimeBudgetMs to the Hub parsers (config.json, safetensors and GGUF headers)', async () => {
    for (const [id, parser, extra] of [
      ['evil/proto-config', 'config JSON', {}],
      ['evil/safetensors-huge-layer-name', 'config JSON', { exact: true }],
      ['evil/gguf-huge-layer-name', 'GGUF header', {}],
    ] as const) {
      const err = await loadModel(id, { ...opts(), ...extra, parseTimeBudgetMs: 0 }).catch((e: unknown) => e);
      expect(err, id).toMatchObject(budgetError(parser));
    }
    expect(() => new HubClient({ parseTimeBudgetMs: Number.NaN, env: {} })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'parseTimeBudgetMs' }),
    );
  });
});
