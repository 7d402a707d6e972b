import type { Architecture } from '@vramkit/core';
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
import type { ConfigFamily } from './family.js';

/** Where a family's sliding window applies when the config has no `layer_types`. */
export type WindowRule = (i: number, r: ConfigReader) => LayerType;

/** Sliding window size, under transformers' key or MLC's transcription key. */
export function readWindow(r: ConfigReader): number | undefined {
  const w = r.int(['sliding_window', 'sliding_window_size'], { fallback: 0, min: 0 });
  return w > 0 ? w : undefined;
}

/** A dense decoder (one MLP per layer) with the given traits. */
export function denseDecoder(r: ConfigReader, traits: DecoderTraits, rule: WindowRule): Architecture {
  const hidden = r.int(['hidden_size', 'n_embd', 'd_model']);
  const vocab = r.int(['vocab_size']);
  const layers = r.int(['num_hidden_layers', 'n_layer', 'num_layers']);
  const shape = readAttentionShape(r, hidden, layers);
  const ffn = r.intPerLayer(['intermediate_size', 'n_inner', 'ffn_hidden_size'], layers, { fallback: 4 * hidden });
  const window = readWindow(r);
  const types = readLayerTypes(r, layers, (i) => rule(i, r));
  return assemble(
    r,
    traits,
    { hidden, vocab },
    types.map((t, i) => softmaxAttention(traits, shape, i, t, window)),
    ffn.map((f) => denseMlp(traits, f)),
  );
}

const PRE_NORMS = ['input_layernorm', 'post_attention_layernorm'] as const;
const everyLayerIfWindow: WindowRule = (_i, r) => (readWindow(r) ? 'sliding_attention' : 'full_attention');
/** Qwen2/Qwen3: sliding only when `use_sliding_window`, and only from layer `max_window_layers` on (transformers Qwen2Config). */
const qwenWindow: WindowRule = (i, r) =>
  r.bool('use_sliding_window', false) && readWindow(r) && i >= r.int('max_window_layers', { fallback: 0, min: 0 })
    ? 'sliding_attention'
    : 'full_attention';

/** Llama, Mistral, Qwen2, Qwen3, OLMo 2 and Phi-3: RMSNorm, RoPE, gated SiLU MLP. */
export const denseFamilies: ConfigFamily[] = [
  {
    modelTypes: ['llama'],
    normalize: (r) =>
      denseDecoder(
        r,
        {
          norms: PRE_NORMS,
          qkvBias: r.bool('attention_bias', false),
          outBias: r.bool('attention_bias', false),
          mlpBias: r.bool('mlp_bias', false),
          tiedDefault: false,
        },
        () => 'full_attention',
      ),
  },
  {
    // Mistral 7B v0.1 slides a 4096-token window on every layer; v0.3 sets sliding_window null.
    modelTypes: ['mistral'],
    normalize: (r) => denseDecoder(r, { norms: PRE_NORMS, tiedDefault: false }, everyLayerIfWindow),
  },
  {
    // Qwen2 has q/k/v biases but no o_proj bias (transformers Qwen2Attention).
    modelTypes: ['qwen2'],
    normalize: (r) => denseDecoder(r, { norms: PRE_NORMS, qkvBias: true, tiedDefault: false }, qwenWindow),
  },
  {
    // Qwen3 drops the biases and adds per-head RMSNorm on q and k.
    modelTypes: ['qwen3'],
    normalize: (r) =>
      denseDecoder(
        r,
        {
          norms: PRE_NORMS,
          qkNorm: 'per-head',
          qkvBias: r.bool('attention_bias', false),
          outBias: r.bool('attention_bias', false),
          tiedDefault: false,
        },
        qwenWindow,
      ),
  },
  {
    // OLMo 2 normalizes after attention and MLP (no input norm) and RMS-normalizes the whole q and k projections.
    modelTypes: ['olmo2'],
    normalize: (r) =>
      denseDecoder(
        r,
        { norms: ['post_attention_layernorm', 'post_feedforward_layernorm'], qkNorm: 'full', tiedDefault: false },
        () => 'full_attention',
      ),
  },
  {
    // Phi-3 fuses q,k,v into qkv_proj and gate,up into gate_up_proj; sliding_window applies to every layer.
    modelTypes: ['phi3'],
    normalize: (r) =>
      denseDecoder(
        r,
        { norms: PRE_NORMS, fusedQkv: 'qkv_proj', mlpNaming: 'fused_gate_up', tiedDefault: false },
        everyLayerIfWindow,
      ),
  },
];
