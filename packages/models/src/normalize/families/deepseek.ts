import type { MlpSpec, MoeMlpSpec, SoftmaxAttentionSpec } from '@vramkit/core';
import { assemble, type DecoderTraits, denseMlp } from '../decoder.js';
import type { ConfigFamily } from './family.js';

/**
 * DeepSeek-V2/V3 (and Kimi K2, a V3 architecture): multi-head latent attention, the first
 * `first_k_dense_replace` layers dense, then MoE every `moe_layer_freq` layers with shared experts;
 * V3 adds the router's `e_score_correction_bias` (topk_method noaux_tc) and MTP layers.
 */
export const deepseekFamily: ConfigFamily = {
  modelTypes: ['deepseek_v2', 'deepseek_v3', 'kimi_k2'],
  normalize: (r) => {
    const traits: DecoderTraits = { norms: ['input_layernorm', 'post_attention_layernorm'], tiedDefault: false };
    const hidden = r.int('hidden_size');
    const vocab = r.int('vocab_size');
    const layers = r.int('num_hidden_layers');
    const heads = r.int('num_attention_heads');
    const mla = {
      qLoraRank: r.int('q_lora_rank', { fallback: 0, min: 0 }),
      kvLoraRank: r.int('kv_lora_rank'),
      qkNopeHeadDim: r.int('qk_nope_head_dim'),
      qkRopeHeadDim: r.int('qk_rope_head_dim'),
      vHeadDim: r.int('v_head_dim'),
    };
    const attention: SoftmaxAttentionSpec = {
      kind: 'full',
      numHeads: heads,
      // MLA has no KV heads in the GQA sense; every query head reads the shared latent.
      numKvHeads: heads,
      headDim: mla.qkNopeHeadDim + mla.qkRopeHeadDim,
      vHeadDim: mla.vHeadDim,
      qkNorm: 'none',
      qkvBias: false,
      outBias: r.bool('attention_bias', false),
      mla,
    };
    const routed = r.int('n_routed_experts', { fallback: 0, min: 0 });
    const sharedCount = r.int('n_shared_experts', { fallback: 0, min: 0 });
    const moeWidth = r.int('moe_intermediate_size', { fallback: 1 });
    const firstDense = r.int('first_k_dense_replace', { fallback: 0, min: 0 });
    const freq = r.int('moe_layer_freq', { fallback: 1 });
    const v3 = r.string('topk_method') === 'noaux_tc';
    const moe: MoeMlpSpec = {
      kind: 'moe',
      numExperts: Math.max(routed, 1),
      topK: r.int('num_experts_per_tok', { fallback: 1 }),
      expertIntermediateSize: moeWidth,
      gated: true,
      expertBias: false,
      routerBias: false,
      routerCorrectionBias: v3,
      ...(sharedCount > 0 ? { shared: { intermediateSize: sharedCount * moeWidth, gate: false } } : {}),
    };
    const dense = denseMlp(traits, r.int('intermediate_size'));
    // transformers DeepseekV2DecoderLayer: MoE when n_routed_experts and i >= first_k_dense_replace and i % moe_layer_freq == 0.
    const mlps: MlpSpec[] = Array.from({ length: layers }, (_, i) =>
      routed > 0 && i >= firstDense && i % freq === 0 ? moe : dense,
    );
    return assemble(r, traits, { hidden, vocab }, new Array(layers).fill(attention), mlps, {
      mtpLayers: r.int('num_nextn_predict_layers', { fallback: 0, min: 0 }),
    });
  },
};
