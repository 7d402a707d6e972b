import { denseDecoder } from './dense.js';
import type { ConfigFamily } from './family.js';

/**
 * Phi-1 / 1.5 / 2 (transformers PhiDecoderLayer): one LayerNorm per layer feeding attention and the
 * MLP in parallel, q/k/v/dense and fc1/fc2 with biases, GELU MLP, final LayerNorm, untied `lm_head`.
 * PhiForCausalLM's `lm_head` also has a bias (`vocab_size` values) that core's Architecture does
 * not model yet; the note says so (Phi-2: 2,779,683,840 in the checkpoint, 51,200 of them that bias).
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
        notes: [`lm_head has a bias of vocab_size (${r.int('vocab_size')}) values, not counted`],
      },
      () => 'full_attention',
    ),
};
