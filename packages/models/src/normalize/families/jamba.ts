import type { AttentionSpec, MambaMixerSpec, MlpSpec } from '@vramkit/core';
import { assemble, readAttentionShape, softmaxAttention } from '../decoder.js';
import type { ConfigFamily } from './family.js';

/**
 * Jamba (transformers JambaConfig / JambaDecoderLayer): a hybrid stack where layer i is attention
 * when `i % attn_layer_period == attn_layer_offset` (8 and 4) and a Mamba mixer otherwise, and its
 * MLP is a top-k MoE when `i % expert_layer_period == expert_layer_offset` (2 and 1), dense SwiGLU
 * otherwise. Only attention layers hold a KV cache. The Mamba mixer's three inner RMSNorms
 * (dt, B, C: `mamba_dt_rank` + 2 × `mamba_d_state` weights per Mamba layer) are not in core's mixer
 * spec; the note gives the count left out.
 */
export const jambaFamily: ConfigFamily = {
  modelTypes: ['jamba'],
  normalize: (r) => {
    const hidden = r.int('hidden_size');
    const vocab = r.int('vocab_size');
    const layers = r.int('num_hidden_layers');
    const shape = readAttentionShape(r, hidden, layers);
    const attnPeriod = r.int('attn_layer_period', { fallback: 8 });
    const attnOffset = r.int('attn_layer_offset', { fallback: 4, min: 0 });
    const expertPeriod = r.int('expert_layer_period', { fallback: 2 });
    const expertOffset = r.int('expert_layer_offset', { fallback: 1, min: 0 });
    const ffn = r.int('intermediate_size');
    const dState = r.int('mamba_d_state', { fallback: 16 });
    const dtRank =
      r.config.mamba_dt_rank === undefined || r.config.mamba_dt_rank === 'auto'
        ? Math.ceil(hidden / 16)
        : r.int('mamba_dt_rank');
    const mixer: MambaMixerSpec = {
      kind: 'mamba',
      intermediateSize: r.int('mamba_expand', { fallback: 2 }) * hidden,
      stateSize: dState,
      convKernel: r.int('mamba_d_conv', { fallback: 4 }),
      dtRank,
      bias: r.bool('mamba_proj_bias', false),
      convBias: r.bool('mamba_conv_bias', true),
    };
    const moe: MlpSpec = {
      kind: 'moe',
      numExperts: r.int('num_experts', { fallback: 16 }),
      topK: r.int('num_experts_per_tok', { fallback: 2 }),
      expertIntermediateSize: ffn,
      gated: true,
      expertBias: false,
      routerBias: false,
      routerCorrectionBias: false,
    };
    const dense: MlpSpec = { kind: 'dense', gated: true, intermediateSize: ffn, bias: false };
    const isAttn = (i: number) => i % attnPeriod === attnOffset;
    const traits = { norms: ['input_layernorm', 'pre_ff_layernorm'], tiedDefault: false };
    const attention: AttentionSpec[] = Array.from({ length: layers }, (_, i) =>
      isAttn(i) ? softmaxAttention(traits, shape, i, 'full_attention', undefined) : mixer,
    );
    const mlp = Array.from({ length: layers }, (_, i) => (i % expertPeriod === expertOffset ? moe : dense));
    const mambaLayers = attention.filter((a) => a.kind === 'mamba').length;
    return assemble(
      r,
      {
        ...traits,
        notes: [`Mamba inner dt/B/C RMSNorms not counted: ${mambaLayers * (dtRank + 2 * dState)} parameters`],
      },
      { hidden, vocab },
      attention,
      mlp,
    );
  },
};
