import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCatalogue } from '../catalogue/catalogue.js';
import { normalizeConfig } from '../normalize/normalize-config.js';
import { checkpointTensors, ggufFromConfig, repoFromConfig } from '../testing/fixture-repos.js';
import { buildSafetensorsFile } from '../testing/safetensors-writer.js';
import { type HubServer, startHubServer } from '../testing/hub-server.js';
import { resolveModelArgument } from './resolve-model-argument.js';

let dir: string;
let server: HubServer;
const cfg = (id: string) => listCatalogue().find((e) => e.id === id)!.config;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vramkit-resolve-'));
  await writeFile(join(dir, 'config.json'), JSON.stringify(cfg('Qwen/Qwen3-0.6B')));
  const gguf = ggufFromConfig(cfg('meta-llama/Llama-3.2-1B-Instruct'), 'Llama-3.2-1B');
  const [name, file] = Object.entries(gguf.files)[0]!;
  // A real file: the header, then a sparse tail so the declared tensor data fits.
  const full = new Uint8Array(file.head.byteLength + 64);
  full.set(file.head);
  await writeFile(join(dir, name), full);
  server = await startHubServer([repoFromConfig('Qwen/Qwen3-8B', cfg('Qwen/Qwen3-8B'), { noSafetensors: true })]);
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('resolveModelArgument', () => {
  it('reads a folder holding config.json (local, synthesized, 0 requests)', async () => {
    const spec = await resolveModelArgument(dir, { env: {} });
    expect(spec.source).toMatchObject({ kind: 'local', requests: 0 });
    expect(spec.architecture.family).toBe('qwen3');
  });

  it('reads local safetensors headers beside config.json as the inventory (596,049,920 parameters)', async () => {
    const st = join(dir, 'st');
    await mkdir(st);
    const config = cfg('Qwen/Qwen3-0.6B');
    await writeFile(join(st, 'config.json'), JSON.stringify(config));
    const file = buildSafetensorsFile(checkpointTensors(normalizeConfig(config).architecture));
    await writeFile(join(st, 'model.safetensors'), file.head);
    await truncate(join(st, 'model.safetensors'), file.size); // sparse: the declared data is a hole
    const spec = await resolveModelArgument(st, { env: {} });
    expect(spec.inventorySource).toBe('safetensors');
    expect(spec.parameters).toMatchObject({ synthesized: 596_049_920, safetensorsHeaders: 596_049_920, agree: true });
  });

  it('reads a local .gguf header', async () => {
    const spec = await resolveModelArgument(join(dir, 'Llama-3.2-1B-Q4_K_M.gguf'), { env: {} });
    expect(spec.inventorySource).toBe('gguf');
    expect(spec.quantization?.fileType).toBe('Q4_K_M');
  });

  it('fetches a Hub id from HF_ENDPOINT and caches it on disk under VRAMKIT cacheDir', async () => {
    const cacheDir = join(dir, 'cache');
    const spec = await resolveModelArgument('Qwen/Qwen3-8B', { env: { HF_ENDPOINT: server.url }, cacheDir, retries: 0 });
    expect(spec.source.kind).toBe('hub');
    const offline = await resolveModelArgument('Qwen/Qwen3-8B', { env: {}, cacheDir, offline: true });
    expect(offline.source.fromCache).toBe(true);
    expect(offline.source.kind).toBe('hub');
  });

  it('answers a catalogue alias that is not owner/name, and suggests ids for an unknown one', async () => {
    await expect(resolveModelArgument('qwen3-9b', { env: {} })).rejects.toMatchObject({ code: 'NO_SUCH_MODEL' });
  });
});
