import { estimateInference, weightBytes } from '@vramkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCatalogue } from './catalogue/catalogue.js';
import { loadModel } from './load-model.js';
import { preparedModelOf } from './model-spec.js';
import { storedFormat, storedTensorBytes } from './stored-format.js';
import { fakeSha, ggufFromConfig, repoFromConfig } from './testing/fixture-repos.js';
import { type HubServer, startHubServer } from './testing/hub-server.js';

const config = listCatalogue().find((e) => e.id === 'meta-llama/Meta-Llama-3.1-8B')!.config;
let server: HubServer;
let gguf: ReturnType<typeof ggufFromConfig>;
let repo: ReturnType<typeof repoFromConfig>;

beforeAll(async () => {
  gguf = ggufFromConfig(config, 'Llama-3.1-8B');
  repo = repoFromConfig('meta-llama/Llama-3.1-8B', config, { shards: 4 });
  server = await startHubServer([{ id: 'x/Llama-3.1-8B-GGUF', sha: fakeSha('g'), files: gguf.files }, repo]);
});
afterAll(() => server.close());

describe('storedFormat', () => {
  it('sums a GGUF inventory to the file tensor data size exactly', async () => {
    const spec = await loadModel('x/Llama-3.1-8B-GGUF', { endpoint: server.url, retries: 0, env: {} });
    const w = weightBytes(spec.tensors, storedFormat, { numLayers: spec.architecture.layers.length });
    expect(w.total).toBe(gguf.dataBytes);
    expect(w.total).toBe(spec.quantization?.dataBytes);
    expect(Object.keys(w.byType).sort()).toEqual(['F32', 'Q4_K', 'Q6_K']);
  });

  it('prepares a loaded GGUF as one model value that keeps the file tensor types for every estimate', async () => {
    const spec = await loadModel('x/Llama-3.1-8B-GGUF', { endpoint: server.url, retries: 0, env: {} });
    const model = preparedModelOf(spec);
    expect(model).toMatchObject({ source: 'gguf', storedDtypes: true, name: 'x/Llama-3.1-8B-GGUF', quantization: { method: 'gguf' } });
    expect(estimateInference({ model, format: storedFormat }).parts.weights?.bytes).toBe(gguf.dataBytes);
  });

  it('sums a safetensors inventory to 16,060,522,496 bytes (8,030,261,248 BF16 parameters × 2)', async () => {
    const spec = await loadModel('meta-llama/Llama-3.1-8B', { endpoint: server.url, retries: 0, env: {}, exact: true });
    expect(weightBytes(spec.tensors, storedFormat, { numLayers: 32 }).total).toBe(8_030_261_248 * 2);
  });

  it('refuses a synthesized tensor without a dtype, naming the field', () => {
    expect(() => storedTensorBytes({ name: 'w', role: 'attn_q', kind: 'weight', shape: [2, 2] })).toThrow(/no stored dtype/);
    expect(() => storedTensorBytes({ name: 'w', role: 'attn_q', kind: 'weight', shape: [2, 100], dtype: 'Q4_K' })).toThrow(/multiple of 256/);
  });
});
