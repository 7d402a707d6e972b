import type { Architecture, LayerSpec, MlpSpec, SoftmaxAttentionSpec } from '../model/architecture.js';

/** The hyper-parameters of a decoder-only test model, as its config.json gives them. */
export interface DecoderFixture {
  family: string;
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  /** Defaults to hidden / heads. */
  headDim?: number;
  ffn: number;
  tied?: boolean;
  qkNorm?: SoftmaxAttentionSpec['qkNorm'];
  qkvBias?: boolean;
  fusedQkv?: SoftmaxAttentionSpec['fusedQkv'];
  fusedGateUp?: boolean;
  /** Routed experts of width `ffn` on every layer. */
  moe?: { experts: number; topK: number };
  /** Per-layer attention kind; a window alone makes every layer sliding. */
  kinds?: (i: number) => { kind: SoftmaxAttentionSpec['kind']; window?: number };
  window?: number;
  mlp?: MlpSpec;
  norms?: string[];
  maxPositions?: number;
}

/**
 * Builds a Llama-style architecture from config numbers, so core's tests need no `@vramkit/models`
 * (which depends on core). Every fixture file builds its models with this one function.
 */
export function decoder(o: DecoderFixture): Architecture {
  const headDim = o.headDim ?? o.hidden / o.heads;
  const mlp: MlpSpec =
    o.mlp ??
    (o.moe
      ? { kind: 'moe', numExperts: o.moe.experts, topK: o.moe.topK, expertIntermediateSize: o.ffn, gated: true, expertBias: false, routerBias: false, routerCorrectionBias: false }
      : { kind: 'dense', gated: true, intermediateSize: o.ffn, bias: false, ...(o.fusedGateUp ? { naming: 'fused_gate_up' as const } : {}) });
  const layers: LayerSpec[] = Array.from({ length: o.layers }, (_, i) => {
    const k = o.kinds?.(i) ?? (o.window ? { kind: 'sliding' as const, window: o.window } : { kind: 'full' as const });
    return {
      attention: {
        kind: k.kind,
        ...(k.window ? { window: k.window } : {}),
        numHeads: o.heads,
        numKvHeads: o.kvHeads,
        headDim,
        vHeadDim: headDim,
        qkNorm: o.qkNorm ?? 'none',
        qkvBias: o.qkvBias ?? false,
        outBias: false,
        ...(o.fusedQkv ? { fusedQkv: o.fusedQkv } : {}),
      },
      mlp,
      norms: o.norms ?? ['input_layernorm', 'post_attention_layernorm'],
    };
  });
  return {
    family: o.family,
    vocabSize: o.vocab,
    hiddenSize: o.hidden,
    layers,
    tiedEmbeddings: o.tied ?? false,
    learnedPositions: 0,
    norm: 'rmsnorm',
    finalNorm: true,
    mtpLayers: 0,
    ...(o.maxPositions ? { maxPositionEmbeddings: o.maxPositions } : {}),
    naming: 'llama',
  };
}
