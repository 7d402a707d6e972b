import { type Tensor, tensorElements } from '@vramkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCatalogue } from './catalogue/catalogue.js';
import { isGgufDerivedTensor } from './gguf/gguf-tensors.js';
import { loadModel } from './load-model.js';
import { ggufFromConfig, repoFromConfig } from './testing/fixture-repos.js';
import { type HubServer, startHubServer } from './testing/hub-server.js';

// Models with all three sources: config.json, safetensors headers (experts stored one tensor per
// expert, lm_head absent when tied) and a GGUF (llama.cpp names, ggml dimension order, experts merged
// per layer, tied output omitted, Llama 3's derived rope_freqs added).
const MODELS = [
  'meta-llama/Llama-3.2-1B-Instruct',
  'meta-llama/Meta-Llama-3.1-8B',
  'Qwen/Qwen3-0.6B',
  'mistralai/Mixtral-8x7B-v0.1',
  'google/gemma-2-2b',
  'openai-community/gpt2',
  'microsoft/Phi-3-mini-4k-instruct',
];

// state-spaces/mamba-130m-hf config.json: an SSM, not in the catalogue.
const MAMBA_ID = 'state-spaces/mamba-130m-hf';
const MAMBA = {
  model_type: 'mamba',
  hidden_size: 768,
  num_hidden_layers: 24,
  vocab_size: 50280,
  state_size: 16,
  expand: 2,
  conv_kernel: 4,
  time_step_rank: 'auto',
  use_bias: false,
  use_conv_bias: true,
  tie_word_embeddings: true,
};

let server: HubServer;
const ggufName = new Map<string, string>();

beforeAll(async () => {
  server = await startHubServer(
    [...MODELS, MAMBA_ID].map((id) => {
      const config = id === MAMBA_ID ? MAMBA : listCatalogue().find((e) => e.id === id)!.config;
      const repo = repoFromConfig(id, config, { shards: 2 });
      const gguf = ggufFromConfig(config, id.split('/')[1]!);
      ggufName.set(id, Object.keys(gguf.files)[0]!);
      return { ...repo, files: { ...repo.files, ...gguf.files } };
    }),
  );
});
afterAll(() => server.close());

function byRole(tensors: readonly Tensor[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tensors) if (!isGgufDerivedTensor(t.name)) out[t.role] = (out[t.role] ?? 0) + tensorElements(t);
  return out;
}

describe('three sources agree', () => {
  it.each([...MODELS, MAMBA_ID].map((m) => [m]))(
    '%s: synthesized, safetensors and GGUF give the same parameters per role',
    async (id) => {
      const opts = { endpoint: server.url, retries: 0, env: {} };
      const fromConfig = await loadModel(id, opts);
      const fromSafetensors = await loadModel(id, { ...opts, exact: true });
      const fromGguf = await loadModel(id, { ...opts, file: ggufName.get(id)! });
      expect(fromSafetensors.parameters.safetensorsHeaders).toBe(fromConfig.parameters.synthesized);
      // 2 requests + 2 range reads per shard, headers only: well under the 2 MB budget.
      expect(fromSafetensors.source.requests).toBe(2 + 2 * 2);
      expect(fromSafetensors.source.bytes).toBeLessThan(2 * 1024 * 1024);
      expect(fromGguf.parameters.gguf).toBe(fromConfig.parameters.synthesized);
      expect(fromGguf.architecture.layers).toHaveLength(fromConfig.architecture.layers.length);
      expect(fromGguf.architecture.tiedEmbeddings).toBe(fromConfig.architecture.tiedEmbeddings);
      const synthRoles = byRole(fromConfig.tensors);
      expect(byRole(fromSafetensors.tensors)).toEqual(synthRoles);
      expect(byRole(fromGguf.tensors)).toEqual(synthRoles);
    },
  );

  it('mamba-130m: 129,135,360 parameters from all three sources, and only Mamba mixers (no KV cache)', async () => {
    const opts = { endpoint: server.url, retries: 0, env: {} };
    const fromGguf = await loadModel(MAMBA_ID, { ...opts, file: ggufName.get(MAMBA_ID)! });
    expect(fromGguf.parameters.gguf).toBe(129_135_360);
    expect(fromGguf.architecture.layers.every((l) => l.attention.kind === 'mamba')).toBe(true);
  });
});
