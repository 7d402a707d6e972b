import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCatalogue } from '../catalogue/catalogue.js';
import { HubClient } from '../hub/hub-client.js';
import { loadModel } from '../load-model.js';
import { fakeSha, ggufFromConfig } from '../testing/fixture-repos.js';
import { ByteWriter, GGUF_VALUE } from '../testing/gguf-writer.js';
import { type HubServer, startHubServer } from '../testing/hub-server.js';
import type { VirtualFile } from '../testing/safetensors-writer.js';
import { listGgufFiles } from './list-gguf-files.js';
import { readGgufHeader } from './read-gguf.js';

const config = (id: string) => listCatalogue().find((c) => c.id === id)!.config;
const REPO = 'bartowski/Meta-Llama-3.1-8B-Instruct-GGUF';
const SPLIT = 'acme/Llama-3.2-1B-split-GGUF';
const HOSTILE = 'acme/hostile-GGUF';

let server: HubServer;
let single: ReturnType<typeof ggufFromConfig>;
let split: ReturnType<typeof ggufFromConfig>;

function hostileArrayLength(): Uint8Array {
  // A metadata array claiming 2^60 strings: the parser must refuse it, not allocate or loop.
  return new ByteWriter()
    .bytes(new TextEncoder().encode('GGUF'))
    .u32(3)
    .u64(0n)
    .u64(1n)
    .string('tokenizer.ggml.tokens')
    .u32(GGUF_VALUE.ARRAY)
    .u32(GGUF_VALUE.STRING)
    .u64(2n ** 60n)
    .done();
}
function hostileTensorCount(): Uint8Array {
  return new ByteWriter()
    .bytes(new TextEncoder().encode('GGUF'))
    .u32(3)
    .u64(2n ** 40n)
    .u64(0n)
    .done();
}
function hostileString(): Uint8Array {
  return new ByteWriter()
    .bytes(new TextEncoder().encode('GGUF'))
    .u32(3)
    .u64(0n)
    .u64(1n)
    .u64(2n ** 50n)
    .done();
}
const vf = (head: Uint8Array, size = head.byteLength + 10 * 1024 * 1024): VirtualFile => ({ head, size });

beforeAll(async () => {
  single = ggufFromConfig(config('meta-llama/Meta-Llama-3.1-8B'), 'Meta-Llama-3.1-8B-Instruct');
  const q8 = ggufFromConfig(config('meta-llama/Meta-Llama-3.1-8B'), 'Meta-Llama-3.1-8B-Instruct');
  split = ggufFromConfig(config('meta-llama/Llama-3.2-1B-Instruct'), 'Llama-3.2-1B', 3);
  const q8Files = Object.fromEntries(Object.entries(q8.files).map(([k, v]) => [k.replace('Q4_K_M', 'Q8_0'), v]));
  server = await startHubServer([
    { id: REPO, sha: fakeSha(REPO), files: { ...single.files, ...q8Files, 'mmproj-f16.gguf': vf(new Uint8Array(8)) } },
    { id: SPLIT, sha: fakeSha(SPLIT), files: split.files },
    {
      id: HOSTILE,
      sha: fakeSha(HOSTILE),
      files: {
        'array.gguf': vf(hostileArrayLength()),
        'tensors.gguf': vf(hostileTensorCount()),
        'string.gguf': vf(hostileString()),
        'truncated.gguf': {
          head: single.files['Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf']!.head.subarray(0, 300),
          size: 300,
        },
        'magic.gguf': vf(new TextEncoder().encode('GGML not a gguf')),
      },
    },
  ]);
});
afterAll(() => server.close());

const base = () => ({ endpoint: server.url, retries: 0, timeoutMs: 5000, env: {} });

describe('loadModel (GGUF)', () => {
  it('picks the Q4_K_M file of a repository with --quant and reads its exact tensor types and data size', async () => {
    server.reset();
    const spec = await loadModel(REPO, { ...base(), quant: 'q4_k_m' });
    expect(spec.inventorySource).toBe('gguf');
    expect(spec.quantization).toMatchObject({ method: 'gguf', fileType: 'Q4_K_M', dataBytes: single.dataBytes });
    expect(spec.parameters.gguf).toBe(8_030_261_248);
    expect(spec.parameters.agree).toBe(true);
    expect(spec.tensors.find((t) => t.name === 'blk.0.attn_q.weight')).toMatchObject({
      role: 'attn_q',
      layer: 0,
      shape: [4096, 4096],
      dtype: 'Q4_K',
    });
    expect(spec.tensors.find((t) => t.name === 'rope_freqs.weight')).toBeDefined();
    expect(spec.architecture.layers).toHaveLength(32);
    // One model-info request and one 2,000,000-byte chunk of the header, nothing else.
    expect(spec.source.requests).toBe(2);
    expect(spec.source.bytes).toBeLessThanOrEqual(2_000_000 + 10_000);
  });

  it('picks a file by name with --file', async () => {
    const spec = await loadModel(REPO, { ...base(), file: 'Meta-Llama-3.1-8B-Instruct-Q8_0.gguf' });
    expect(spec.source.files).toContain('Meta-Llama-3.1-8B-Instruct-Q8_0.gguf');
  });

  it('lists the 2 quantizations (not the mmproj projector) when the choice is ambiguous', async () => {
    const err = await loadModel(REPO, base()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_INPUT' });
    expect((err as Error).message).toMatch(/2 GGUF models.*Q4_K_M.*Q8_0/);
    const missing = await loadModel(REPO, { ...base(), quant: 'IQ2_XS' }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/no IQ2_XS GGUF.*Available: Q4_K_M, Q8_0/);
  });

  it('sums split files -00001-of-00003 … -00003-of-00003 into one inventory', async () => {
    const spec = await loadModel(SPLIT, base());
    expect(spec.source.files.filter((f) => f.endsWith('.gguf'))).toHaveLength(3);
    expect(spec.parameters.gguf).toBe(split.parameters);
    expect(spec.quantization?.dataBytes).toBe(split.dataBytes);
  });
});

describe('listGgufFiles', () => {
  it('groups the split set and reports each quantization with its bytes', async () => {
    const list = await listGgufFiles(REPO, base());
    expect(list.map((c) => c.label)).toEqual(['Q4_K_M', 'Q8_0']);
    expect(list[0]!.bytes).toBe(single.files['Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf']!.size);
    const splitList = await listGgufFiles(SPLIT, base());
    expect(splitList).toHaveLength(1);
    expect(splitList[0]!.files).toHaveLength(3);
  });
});

describe('readGgufHeader', () => {
  const read = (file: string) => {
    const client = new HubClient(base());
    return readGgufHeader(
      client.fileUrl(HOSTILE, file),
      client.transport.fetchFor('gguf-header', HOSTILE, file, 2_000_000),
      file,
    );
  };
  it.each([
    ['array.gguf', /array length/i],
    ['tensors.gguf', /tensor count/i],
    ['string.gguf', /length|exceeds/i],
    ['truncated.gguf', /truncated: the header ends at byte/],
    ['magic.gguf', /not a valid gguf|magic|GGUF/i],
  ])('ends %s in PARSE_ERROR', async (file, pattern) => {
    const err = await read(file).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: expect.stringMatching(/PARSE_ERROR|HUB_BAD_RESPONSE/) });
    expect((err as Error).message).toMatch(pattern);
  });
});
