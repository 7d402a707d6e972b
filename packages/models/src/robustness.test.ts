import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCatalogue } from './catalogue/catalogue.js';
import { loadModel } from './load-model.js';
import { fakeSha, repoFromConfig } from './testing/fixture-repos.js';
import { type HubServer, startHubServer } from './testing/hub-server.js';
import type { VirtualFile } from './testing/safetensors-writer.js';

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

let server: HubServer;
beforeAll(async () => {
  const polluting = enc(`{"__proto__":{"polluted":"yes"},${JSON.stringify(cfg).slice(1)}`);
  server = await startHubServer([
    repo('evil/huge-header', { 'model.safetensors': file(lengthPrefix(2n ** 40n), 2 ** 41) }),
    repo('evil/truncated-header', { 'model.safetensors': file(lengthPrefix(5000n, enc('{"a":')), 100) }),
    repo('evil/not-json-header', { 'model.safetensors': file(lengthPrefix(8n, enc('<html>!!')), 16) }),
    repo('evil/traversal-index', { 'model.safetensors.index.json': file(enc('{"weight_map":{"a":"../../../etc/passwd.safetensors"}}')) }),
    { ...repoFromConfig('evil/proto-config', cfg, { noSafetensors: true }), files: { 'config.json': file(polluting) } },
    repoFromConfig('slow/body', cfg, { noSafetensors: true }),
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
