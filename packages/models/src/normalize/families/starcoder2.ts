import { denseDecoder, readWindow } from './dense.js';
import type { ConfigFamily } from './family.js';

/**
 * StarCoder2 (transformers Starcoder2DecoderLayer): LayerNorms with biases, q/k/v/o and the plain
 * GELU MLP `c_fc`/`c_proj` with biases when `use_bias` (default true), GQA, a sliding window on
 * every layer when `sliding_window` is set, tied embeddings by default.
 */
export const starcoder2Family: ConfigFamily = {
  modelTypes: ['starcoder2'],
  normalize: (r) => {
    const bias = r.bool('use_bias', true);
    return denseDecoder(
      r,
      {
        norms: ['input_layernorm', 'post_attention_layernorm'],
        norm: 'layernorm',
        qkvBias: bias,
        outBias: bias,
        gatedMlp: false,
        mlpBias: bias,
        mlpNaming: 'gpt2',
        tiedDefault: true,
      },
      (_i, reader) => (readWindow(reader) ? 'sliding_attention' : 'full_attention'),
    );
  },
};
