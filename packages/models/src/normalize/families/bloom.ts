import { ConfigReader } from '../config-fields.js';
import { denseDecoder } from './dense.js';
import type { ConfigFamily } from './family.js';

/**
 * BLOOM (transformers modeling_bloom.py BloomModel / BloomBlock): ALiBi positions (no rope, no position
 * table), a LayerNorm over the word embeddings before the first block (`word_embeddings_layernorm`),
 * fused `query_key_value` [3 × hidden, hidden] and `dense` with biases, LayerNorms with biases, a GELU
 * MLP of exactly 4 × hidden (BloomMLP ignores `n_inner`), full multi-head attention and a tied head
 * (BloomConfig `tie_word_embeddings` true). Module paths are Falcon's (`transformer.h.N.self_attention`).
 * Older configs name the width `n_embed` (BloomConfig pops it into `hidden_size`).
 */
export const bloomFamily: ConfigFamily = {
  modelTypes: ['bloom'],
  normalize: (r) => {
    const hidden = r.int(['hidden_size', 'n_embed']);
    // BloomMLP builds Linear(hidden, 4 × hidden) whatever `n_inner` says; every head is its own KV head.
    const inner = new ConfigReader(
      {
        ...r.config,
        hidden_size: hidden,
        n_embed: undefined,
        intermediate_size: 4 * hidden,
        n_inner: undefined,
        num_key_value_heads: undefined,
        num_kv_heads: undefined,
        n_head_kv: undefined,
      },
      r.modelType,
    );
    const arch = denseDecoder(
      inner,
      {
        norms: ['input_layernorm', 'post_attention_layernorm'],
        norm: 'layernorm',
        fusedQkv: 'query_key_value',
        qkvBias: true,
        outBias: true,
        gatedMlp: false,
        mlpBias: true,
        mlpNaming: 'neox',
        tiedDefault: true,
        naming: 'falcon',
        notes: [
          'ALiBi positions: no position table; eager attention adds a [batch × heads, 1, seq] bias to the scores',
        ],
      },
      () => 'full_attention',
    );
    r.issues.push(...inner.issues);
    return { ...arch, embeddingNorm: true };
  },
};
