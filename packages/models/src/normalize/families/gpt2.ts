import type { ConfigFamily } from './family.js';
import { denseDecoder } from './dense.js';

/** GPT-2: learned positions, LayerNorm with biases, fused c_attn, plain GELU MLP (4 × hidden), tied output. */
export const gpt2Family: ConfigFamily = {
  modelTypes: ['gpt2'],
  normalize: (r) =>
    denseDecoder(
      r,
      {
        norms: ['ln_1', 'ln_2'],
        norm: 'layernorm',
        fusedQkv: 'c_attn',
        qkvBias: true,
        outBias: true,
        gatedMlp: false,
        mlpBias: true,
        mlpNaming: 'gpt2',
        tiedDefault: true,
        naming: 'gpt2',
        learnedPositions: r.int(['n_positions', 'max_position_embeddings']),
      },
      () => 'full_attention',
    ),
};
