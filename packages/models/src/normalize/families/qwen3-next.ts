import type { AttentionSpec, LinearAttentionSpec, MlpSpec, MoeMlpSpec } from '@vramkit/core';
import { assemble, type DecoderTraits, readAttentionShape, readLayerTypes, softmaxAttention } from '../decoder.js';
import type { ConfigFamily } from './family.js';

/**
 * Qwen3-Next: hybrid of Gated DeltaNet linear attention and gated full attention (every
 * `full_attention_interval`-th layer), ultra-sparse MoE with a gated shared expert
 * (transformers Qwen3NextConfig / modeling_qwen3_next.py).
 */
export const qwen3NextFamily: ConfigFamily = {
  modelTypes: ['qwen3_next'],
  normalize: (r) => {
    const traits: DecoderTraits = {
      norms: ['input_layernorm', 'post_attention_layernorm'],
      qkNorm: 'per-head',
      gatedOutput: true,
      tiedDefault: false,
    };
    const hidden = r.int('hidden_size');
    const vocab = r.int('vocab_size');
    const layers = r.int('num_hidden_layers');
    const shape = readAttentionShape(r, hidden, layers);
    const interval = r.int('full_attention_interval', { fallback: 4 });
    const types = readLayerTypes(r, layers, (i) => ((i + 1) % interval === 0 ? 'full_attention' : 'linear_attention'));
    const linear: LinearAttentionSpec = {
      kind: 'linear',
      numKeyHeads: r.int('linear_num_key_heads'),
      numValueHeads: r.int('linear_num_value_heads'),
      keyHeadDim: r.int('linear_key_head_dim'),
      valueHeadDim: r.int('linear_value_head_dim'),
      convKernel: r.int('linear_conv_kernel_dim'),
    };
    const moe: MoeMlpSpec = {
      kind: 'moe',
      numExperts: r.int('num_experts'),
      topK: r.int('num_experts_per_tok'),
      expertIntermediateSize: r.int('moe_intermediate_size'),
      gated: true,
      expertBias: false,
      routerBias: false,
      routerCorrectionBias: false,
      shared: { intermediateSize: r.int('shared_expert_intermediate_size'), gate: true },
    };
    const attention: AttentionSpec[] = types.map((t, i) =>
      t === 'linear_attention' ? linear : softmaxAttention(traits, shape, i, t, undefined),
    );
    const mlps: MlpSpec[] = types.map(() => moe);
    return assemble(r, traits, { hidden, vocab }, attention, mlps);
  },
};
