import { denseDecoder } from './dense.js';
import type { ConfigFamily } from './family.js';

/**
 * Phi-1 / 1.5 / 2 (transformers PhiDecoderLayer): one LayerNorm per layer feeding attention and the
 * MLP in parallel, q/k/v/dense and fc1/fc2 with biases, GELU MLP, final LayerNorm, untied `lm_head`.
 * PhiForCausalLM's `lm_head` also has a bias of `vocab_size` values.
 */
export const phiFamily: ConfigFamily = {
  modelTypes: ['phi'],
  normalize: (r) =>
    denseDecoder(
      r,
      {
        norms: ['input_layernorm'],
        norm: 'layernorm',
        qkvBias: true,
        outBias: true,
        gatedMlp: false,
        mlpBias: true,
        qkNorm: r.bool('qk_layernorm', false) ? 'per-head' : 'none',
        tiedDefault: false,
        parallelBlock: true,
        outputBias: true,
      },
      () => 'full_attention',
    ),
};
