import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../normalize/normalize-config.js';
import { ggufToConfig } from './gguf-config.js';
import type { GgufInventory } from './read-gguf.js';

function inv(
  architecture: string,
  metadata: GgufInventory['metadata'],
  names: string[] = ['token_embd.weight', 'output.weight'],
): GgufInventory {
  return {
    file: 'x.gguf',
    architecture,
    tensors: names.map((name) => ({ name, role: 'other', kind: 'weight', shape: [65024, 8192], dtype: 'Q4_K' })),
    dataBytes: 0,
    tensorBytes: [],
    parameters: 0,
    metadata: { 'general.architecture': architecture, ...metadata },
  };
}

describe('ggufToConfig', () => {
  it('reads a Llama GGUF: 32 layers, 8 KV heads, vocabulary from token_embd rows (65,024), untied', () => {
    const c = ggufToConfig(
      inv('llama', {
        'llama.block_count': 32,
        'llama.embedding_length': 4096,
        'llama.attention.head_count': 32,
        'llama.attention.head_count_kv': 8,
        'llama.feed_forward_length': 14336,
      }),
    );
    expect(c).toMatchObject({
      model_type: 'llama',
      num_hidden_layers: 32,
      num_key_value_heads: 8,
      vocab_size: 65024,
      tie_word_embeddings: false,
    });
  });

  it('turns a llama GGUF with 8 experts into mixtral, and omits the output tensor into tied embeddings', () => {
    const c = ggufToConfig(
      inv('llama', { 'llama.expert_count': 8, 'llama.expert_used_count': 2 }, ['token_embd.weight']),
    );
    expect(c).toMatchObject({
      model_type: 'mixtral',
      num_local_experts: 8,
      num_experts_per_tok: 2,
      tie_word_embeddings: true,
    });
  });

  it('reads Falcon-40B (8 KV heads) as the new decoder architecture and normalizes it', () => {
    const c = ggufToConfig(
      inv('falcon', {
        'falcon.block_count': 60,
        'falcon.embedding_length': 8192,
        'falcon.attention.head_count': 128,
        'falcon.attention.head_count_kv': 8,
        'falcon.feed_forward_length': 32768,
      }),
    );
    expect(c).toMatchObject({ model_type: 'falcon', new_decoder_architecture: true, num_kv_heads: 8 });
    const a = normalizeConfig(c).architecture.layers[0]!.attention;
    expect(a.kind === 'full' && a.numKvHeads).toBe(8);
  });
});
