import { denseDecoder } from './dense.js';
import type { ConfigFamily } from './family.js';

/**
 * GPT-NeoX / Pythia (transformers GPTNeoXLayer): LayerNorms with biases, fused `query_key_value`,
 * `dense_h_to_4h` / `dense_4h_to_h` GELU MLP, all with biases (`attention_bias`, default true),
 * untied `embed_out`, and attention and MLP in parallel when `use_parallel_residual` (default true).
 */
export const gptNeoxFamily: ConfigFamily = {
  modelTypes: ['gpt_neox'],
  normalize: (r) => {
    const bias = r.bool('attention_bias', true);
    return denseDecoder(
      r,
      {
        norms: ['input_layernorm', 'post_attention_layernorm'],
        norm: 'layernorm',
        fusedQkv: 'query_key_value',
        qkvBias: bias,
        outBias: bias,
        gatedMlp: false,
        mlpBias: true,
        mlpNaming: 'neox',
        tiedDefault: false,
        naming: 'neox',
        parallelBlock: r.bool('use_parallel_residual', true),
      },
      () => 'full_attention',
    );
  },
};
