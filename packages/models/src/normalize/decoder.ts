import type { Architecture, AttentionSpec, LayerSpec, MlpSpec, SoftmaxAttentionSpec } from '@vramkit/core';
import type { ConfigReader } from './config-fields.js';

/** Per-layer attention kinds, as transformers' `layer_types` names them. */
export type LayerType = 'full_attention' | 'sliding_attention' | 'chunked_attention' | 'linear_attention';

/** The facts of a decoder-only transformer that vary between families. */
export interface DecoderTraits {
  norms: readonly string[];
  qkNorm?: SoftmaxAttentionSpec['qkNorm'];
  qkvBias?: boolean;
  outBias?: boolean;
  mlpBias?: boolean;
  gatedMlp?: boolean;
  fusedQkv?: SoftmaxAttentionSpec['fusedQkv'];
  mlpNaming?: 'llama' | 'fused_gate_up' | 'gpt2' | 'neox';
  tiedDefault: boolean;
  norm?: 'rmsnorm' | 'layernorm';
  naming?: Architecture['naming'];
  sinks?: boolean;
  gatedOutput?: boolean;
  parallelBlock?: boolean;
  learnedPositions?: number;
  outputBias?: boolean;
  notes?: string[];
}

/** Reads the shared attention hyper-parameters: heads, KV heads (scalar or per layer), head dim. */
export function readAttentionShape(r: ConfigReader, hidden: number, layers: number) {
  const heads = r.intPerLayer(['num_attention_heads', 'n_head', 'num_heads'], layers);
  const kvHeads = r.has('num_key_value_heads', 'num_kv_heads', 'n_head_kv')
    ? r.intPerLayer(['num_key_value_heads', 'num_kv_heads', 'n_head_kv'], layers)
    : heads.slice();
  // head_dim is not hidden / heads for Gemma (256) and Qwen3 (128); read it when the config gives it.
  const headDim = r.int('head_dim', { fallback: Math.floor(hidden / (heads[0] ?? 1)) });
  for (let i = 0; i < layers; i++) {
    if ((heads[i] ?? 1) % (kvHeads[i] ?? 1) !== 0) {
      r.issues.push({
        path: 'num_key_value_heads',
        message: `layer ${i}: ${kvHeads[i]} KV heads do not divide ${heads[i]} query heads`,
        received: kvHeads[i],
      });
      break;
    }
  }
  return { heads, kvHeads, headDim };
}

/**
 * Layer kinds from `layer_types` when the config lists them; otherwise from the rule `fallback`
 * gives for layer i. Unknown names are kept as full attention and reported.
 */
export function readLayerTypes(r: ConfigReader, layers: number, fallback: (i: number) => LayerType): LayerType[] {
  const listed = r.stringArray('layer_types', layers);
  if (!listed) return Array.from({ length: layers }, (_, i) => fallback(i));
  return listed.map((t, i) => {
    if (t === 'full_attention' || t === 'sliding_attention' || t === 'chunked_attention' || t === 'linear_attention')
      return t;
    if (t === 'attention') return 'full_attention';
    r.issues.push({ path: `layer_types[${i}]`, message: `unknown layer type "${t}"`, received: t });
    return 'full_attention';
  });
}

/** Assembles an {@link Architecture} from per-layer attention and MLP specs, sharing identical objects. */
export function assemble(
  r: ConfigReader,
  traits: DecoderTraits,
  shape: { hidden: number; vocab: number },
  attention: readonly AttentionSpec[],
  mlp: readonly MlpSpec[],
  extra: { mtpLayers?: number } = {},
): Architecture {
  const shared = new Map<string, LayerSpec>();
  const layers = attention.map((a, i) => {
    const layer: LayerSpec = {
      attention: a,
      mlp: mlp[i]!,
      norms: traits.norms,
      ...(traits.parallelBlock ? { parallelBlock: true } : {}),
    };
    const key = JSON.stringify(layer);
    const hit = shared.get(key);
    if (hit) return hit;
    shared.set(key, layer);
    return layer;
  });
  const maxPos = r.int(['max_position_embeddings', 'n_positions', 'context_window_size'], { fallback: 0, min: 0 });
  const rope = (r.config.rope_scaling ?? r.config.rope_parameters) as { rope_type?: unknown } | null | undefined;
  const ropeType = rope && typeof rope === 'object' && rope.rope_type === 'llama3' ? 'llama3' : undefined;
  return {
    family: r.modelType,
    vocabSize: shape.vocab,
    hiddenSize: shape.hidden,
    layers,
    tiedEmbeddings: r.bool('tie_word_embeddings', traits.tiedDefault),
    learnedPositions: traits.learnedPositions ?? 0,
    ...(traits.outputBias ? { outputBias: true } : {}),
    norm: traits.norm ?? 'rmsnorm',
    finalNorm: true,
    mtpLayers: extra.mtpLayers ?? 0,
    ...(maxPos > 0 ? { maxPositionEmbeddings: maxPos } : {}),
    ...(ropeType ? { ropeScaling: ropeType } : {}),
    ...(traits.naming ? { naming: traits.naming } : {}),
    ...(traits.notes?.length ? { notes: traits.notes } : {}),
  };
}

/** Softmax attention spec for layer i from the shared shape and the layer's kind and window. */
export function softmaxAttention(
  traits: DecoderTraits,
  shape: { heads: number[]; kvHeads: number[]; headDim: number },
  i: number,
  type: LayerType,
  window: number | undefined,
): SoftmaxAttentionSpec {
  const kind =
    type === 'sliding_attention' && window ? 'sliding' : type === 'chunked_attention' && window ? 'chunked' : 'full';
  return {
    kind,
    numHeads: shape.heads[i]!,
    numKvHeads: shape.kvHeads[i]!,
    headDim: shape.headDim,
    vHeadDim: shape.headDim,
    ...(kind !== 'full' ? { window } : {}),
    qkNorm: traits.qkNorm ?? 'none',
    qkvBias: traits.qkvBias ?? false,
    outBias: traits.outBias ?? false,
    ...(traits.fusedQkv ? { fusedQkv: traits.fusedQkv } : {}),
    ...(traits.gatedOutput ? { gatedOutput: true } : {}),
    ...(traits.sinks ? { sinks: true } : {}),
  };
}

/** A dense MLP spec. */
export function denseMlp(traits: DecoderTraits, intermediate: number): MlpSpec {
  return {
    kind: 'dense',
    gated: traits.gatedMlp ?? true,
    intermediateSize: intermediate,
    bias: traits.mlpBias ?? false,
    ...(traits.mlpNaming && traits.mlpNaming !== 'llama' ? { naming: traits.mlpNaming } : {}),
  };
}
