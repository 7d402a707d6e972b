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
let gguf1b: { name: string; head: Uint8Array; size: number };
const cfg = (id: string) => listCatalogue().find((e) => e.id === id)!.config;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vramkit-resolve-'));
  await writeFile(join(dir, 'config.json'), JSON.stringify(cfg('Qwen/Qwen3-0.6B')));
  const gguf = ggufFromConfig(cfg('meta-llama/Llama-3.2-1B-Instruct'), 'Llama-3.2-1B');
  const [name, file] = Object.entries(gguf.files)[0]!;
  // A real file: the header, then a sparse tail so the declared tensor data fits.
  await writeFile(join(dir, name), file.head);
  await truncate(join(dir, name), file.size);
  gguf1b = { name, head: file.head, size: file.size };
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
    const spec = await resolveModelArgument('Qwen/Qwen3-8B', {
      env: { HF_ENDPOINT: server.url },
      cacheDir,
      retries: 0,
    });
    expect(spec.source.kind).toBe('hub');
    const offline = await resolveModelArgument('Qwen/Qwen3-8B', { env: {}, cacheDir, offline: true });
    expect(offline.source.fromCache).toBe(true);
    expect(offline.source.kind).toBe('hub');
  });

  it('answers a catalogue alias that is not owner/name, and suggests ids for an unknown one', async () => {
    await expect(resolveModelArgument('qwen3-9b', { env: {} })).rejects.toMatchObject({ code: 'NO_SUCH_MODEL' });
  });
});

describe('resolveModelArgument on hostile paths (issue #15)', () => {
  it.each(['/etc/passwd', '/proc/self/environ'])(
    'refuses %s, a file that is not a model file, without reading it',
    async (path) => {
      const err = await resolveModelArgument(path, { env: {} }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'NO_SUCH_MODEL', path: 'model' });
      expect((err as Error).message).toMatch(/is not a model file.*Nothing was read/);
      expect((err as Error).message).not.toMatch(/root:/);
    },
  );

  it('refuses a config.json above 16 MiB before reading it', async () => {
    const big = join(dir, 'big.json');
    await writeFile(big, '{');
    await truncate(big, 17 * 1024 * 1024);
    await expect(resolveModelArgument(big, { env: {} })).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringMatching(/above the 16,777,216-byte limit/),
    });
  });

  it('refuses a truncated local GGUF instead of counting the tensors left (was 139,584 of 155,968 parameters, silently)', async () => {
    const cut = join(dir, 'cut.gguf');
    await writeFile(cut, gguf1b.head);
    await truncate(cut, gguf1b.size - 4096);
    await expect(resolveModelArgument(cut, { env: {} })).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringMatching(/truncated: tensor data needs \d+ bytes but the file has \d+/),
    });
    const header = join(dir, 'header-cut.gguf');
    await writeFile(header, gguf1b.head.subarray(0, Math.floor(gguf1b.head.byteLength / 2)));
    await expect(resolveModelArgument(header, { env: {} })).rejects.toMatchObject({ code: 'PARSE_ERROR' });
  });
});
