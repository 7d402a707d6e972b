import type { MlpSpec, MoeMlpSpec } from '@vramkit/core';
import type { ConfigReader } from '../config-fields.js';
import {
  assemble,
  type DecoderTraits,
  denseMlp,
  type LayerType,
  readAttentionShape,
  readLayerTypes,
  softmaxAttention,
} from '../decoder.js';
import { readWindow } from './dense.js';
import type { ConfigFamily } from './family.js';

const PRE_NORMS = ['input_layernorm', 'post_attention_layernorm'] as const;

/** Which layers are sparse: Qwen-MoE's `decoder_sparse_step` and `mlp_only_layers` (transformers Qwen2MoeDecoderLayer). */
function qwenSparse(r: ConfigReader, i: number): boolean {
  const step = r.int('decoder_sparse_step', { fallback: 1 });
  const dense = r.intArray('mlp_only_layers');
  return !dense.includes(i) && (i + 1) % step === 0;
}

/** A decoder whose layers choose between a dense MLP and an MoE block. */
function moeDecoder(
  r: ConfigReader,
  traits: DecoderTraits,
  moe: MoeMlpSpec,
  isSparse: (i: number) => boolean,
  rule: (i: number) => LayerType,
) {
  const hidden = r.int(['hidden_size']);
  const vocab = r.int(['vocab_size']);
  const layers = r.int(['num_hidden_layers']);
  const shape = readAttentionShape(r, hidden, layers);
  const window = readWindow(r);
  const types = readLayerTypes(r, layers, rule);
  const denseWidth = r.int('intermediate_size');
  const mlps: MlpSpec[] = types.map((_, i) => (isSparse(i) ? moe : denseMlp(traits, denseWidth)));
  return assemble(
    r,
    traits,
    { hidden, vocab },
    types.map((t, i) => softmaxAttention(traits, shape, i, t, window)),
    mlps,
  );
}

function moeSpec(
  r: ConfigReader,
  fields: { experts: string[]; topK: string[]; width: string[] },
  extra: Partial<MoeMlpSpec> = {},
): MoeMlpSpec {
  return {
    kind: 'moe',
    numExperts: r.int(fields.experts),
    topK: r.int(fields.topK),
    expertIntermediateSize: r.int(fields.width),
    gated: true,
    expertBias: false,
    routerBias: false,
    routerCorrectionBias: false,
    ...extra,
  };
}

/** Mixtral, Qwen2-MoE (shared expert with a sigmoid gate) and Qwen3-MoE. */
export const moeFamilies: ConfigFamily[] = [
  {
    modelTypes: ['mixtral'],
    normalize: (r) => {
      const traits: DecoderTraits = { norms: PRE_NORMS, tiedDefault: false };
      const spec = moeSpec(r, {
        experts: ['num_local_experts'],
        topK: ['num_experts_per_tok'],
        width: ['intermediate_size'],
      });
      const w = readWindow(r);
      return moeDecoder(
        r,
        traits,
        spec,
        () => true,
        () => (w ? 'sliding_attention' : 'full_attention'),
      );
    },
  },
  {
    modelTypes: ['qwen2_moe'],
    normalize: (r) => {
      const traits: DecoderTraits = { norms: PRE_NORMS, qkvBias: true, tiedDefault: false };
      const spec = moeSpec(
        r,
        { experts: ['num_experts'], topK: ['num_experts_per_tok'], width: ['moe_intermediate_size'] },
        { shared: { intermediateSize: r.int('shared_expert_intermediate_size'), gate: true } },
      );
      return moeDecoder(
        r,
        traits,
        spec,
        (i) => qwenSparse(r, i),
        () => 'full_attention',
      );
    },
  },
  {
    modelTypes: ['qwen3_moe'],
    normalize: (r) => {
      const traits: DecoderTraits = { norms: PRE_NORMS, qkNorm: 'per-head', tiedDefault: false };
      const spec = moeSpec(r, {
        experts: ['num_experts'],
        topK: ['num_experts_per_tok'],
        width: ['moe_intermediate_size'],
      });
      return moeDecoder(
        r,
        traits,
        spec,
        (i) => qwenSparse(r, i),
        () => 'full_attention',
      );
    },
  },
  {
    // gpt-oss: biased attention with per-head sinks, alternating sliding (128) / full layers from
    // layer_types, 32 or 128 experts with biases behind a biased router (transformers GptOssConfig).
    modelTypes: ['gpt_oss'],
    normalize: (r) => {
      const traits: DecoderTraits = { norms: PRE_NORMS, qkvBias: true, outBias: true, sinks: true, tiedDefault: false };
      const spec = moeSpec(
        r,
        {
          experts: ['num_local_experts'],
          topK: ['num_experts_per_tok', 'experts_per_token'],
          width: ['intermediate_size'],
        },
        { expertBias: true, routerBias: true },
      );
      return moeDecoder(
        r,
        traits,
        spec,
        () => true,
        (i) => (i % 2 === 0 ? 'sliding_attention' : 'full_attention'),
      );
    },
  },
  {
    // Llama 4 text: chunked local attention on 3 of 4 layers (no_rope_layers default: (i + 1) % 4 != 0),
    // MoE every `interleave_moe_layer_step` layers with one shared expert, dense layers of intermediate_size_mlp.
    modelTypes: ['llama4_text', 'llama4'],
    normalize: (r) => {
      // use_qk_norm is a weightless L2 norm (transformers Llama4TextL2Norm): no parameters.
      const traits: DecoderTraits = { norms: PRE_NORMS, tiedDefault: false };
      const width = r.int('intermediate_size');
      const spec = moeSpec(
        r,
        { experts: ['num_local_experts'], topK: ['num_experts_per_tok'], width: ['intermediate_size'] },
        { shared: { intermediateSize: width, gate: false } },
      );
      const step = r.int('interleave_moe_layer_step', { fallback: 1 });
      const chunk = r.int('attention_chunk_size', { fallback: 0, min: 0 });
      const hidden = r.int(['hidden_size']);
      const vocab = r.int(['vocab_size']);
      const layers = r.int(['num_hidden_layers']);
      const shape = readAttentionShape(r, hidden, layers);
      const denseWidth = r.int('intermediate_size_mlp', { fallback: width });
      const types = readLayerTypes(r, layers, (i) =>
        chunk > 0 && (i + 1) % 4 !== 0 ? 'chunked_attention' : 'full_attention',
      );
      const mlps: MlpSpec[] = types.map((_, i) => ((i + 1) % step === 0 ? spec : denseMlp(traits, denseWidth)));
      // Llama4TextAttention applies the L2 norm only where it applies rope (no_rope_layers: every 4th layer skips both).
      const l2 = r.bool('use_qk_norm', false);
      return assemble(
        r,
        traits,
        { hidden, vocab },
        types.map((t, i) => {
          const a = softmaxAttention(traits, shape, i, t, chunk || undefined);
          return l2 && (i + 1) % 4 !== 0 ? { ...a, l2QkNorm: true } : a;
        }),
        mlps,
      );
    },
  },
];
