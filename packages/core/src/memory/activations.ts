import type { Architecture, LayerSpec, SoftmaxAttentionSpec } from '../model/architecture.js';
import { type BreakdownPart, lazyPart } from './breakdown.js';
import { layerClasses } from '../model/layer-classes.js';
import { formatCount } from './units.js';

/** What one prefill (or decode) step computes at once. */
export interface InferenceActivationOptions {
  /** Tokens processed in one forward pass (the prompt, or llama.cpp's ubatch / vLLM's chunk). */
  chunkTokens: number;
  /** Tokens the chunk attends to (cached + new); defaults to `chunkTokens`. */
  keyTokens?: number;
  batch: number;
  /** Bytes of an activation element (2 for bf16/f16 compute). */
  activationBytes: number;
  /** `naive` materializes the score matrix (eager attention); `flash` does not (FlashAttention-2, SDPA). */
  attention: 'naive' | 'flash';
  /** Logits kept: over every prompt token (a plain forward), only the last (generate), or none. */
  logits: 'all' | 'last' | 'none';
}

/** Scores and softmax of naive attention for one layer. */
export interface NaiveAttentionShape {
  batch: number;
  heads: number;
  queryTokens: number;
  keyTokens: number;
  /** Bytes of the score matrix element (the compute dtype). */
  scoreBytes: number;
}

/**
 * Bytes of the `batch × heads × queries × keys` score matrix plus its softmax, which naive
 * attention holds at once. Softmax runs in fp32 (transformers `eager_attention_forward`:
 * `softmax(..., dtype=torch.float32)`), so it adds 4 bytes per score; in fp32 that is two equal
 * matrices (the accounting of the measured naive-attention benchmark).
 */
export function naiveAttentionScoreBytes(s: NaiveAttentionShape): number {
  return s.batch * s.heads * s.queryTokens * s.keyTokens * (s.scoreBytes + 4);
}

/** Widths of q, k and v per token of a softmax layer (MLA expands K/V to every head). */
function attentionDims(a: SoftmaxAttentionSpec): { qDim: number; kDim: number; vDim: number; kvHeads: number } {
  const qDim = a.mla ? a.numHeads * (a.mla.qkNopeHeadDim + a.mla.qkRopeHeadDim) : a.numHeads * a.headDim;
  const kvHeads = a.mla ? a.numHeads : a.numKvHeads;
  const kDim = a.mla ? qDim : kvHeads * a.headDim;
  const vDim = a.mla ? a.numHeads * a.mla.vHeadDim : kvHeads * a.vHeadDim;
  return { qDim, kDim, vDim, kvHeads };
}

function attentionPhaseBytes(
  a: SoftmaxAttentionSpec,
  o: InferenceActivationOptions,
  keys: number,
  h: number,
): { bytes: number; scores: number } {
  const t = o.batch * o.chunkTokens;
  const { qDim, kDim, vDim, kvHeads } = attentionDims(a);
  // q, k, v of the chunk, the attention output, and the o_proj output.
  let bytes = (t * (qDim + kDim + vDim + a.numHeads * a.vHeadDim) + t * h) * o.activationBytes;
  let scores = 0;
  const window = a.kind !== 'full' && a.window !== undefined ? Math.min(keys, a.window) : keys;
  if (o.attention === 'naive') {
    // Eager attention repeats K/V to every query head (transformers repeat_kv) before the matmul.
    bytes += o.batch * window * (a.numHeads - kvHeads) * (a.headDim + a.vHeadDim) * o.activationBytes;
    scores = naiveAttentionScoreBytes({
      batch: o.batch,
      heads: a.numHeads,
      queryTokens: o.chunkTokens,
      keyTokens: window,
      scoreBytes: o.activationBytes,
    });
  }
  return { bytes: bytes + scores, scores };
}

/** A layer class reduced to the dimensions the activation formulas read; workload-independent. */
interface ActivationClass {
  /** The softmax attention spec (naive attention reads all of it); undefined for linear / SSM / other layers. */
  softmax: SoftmaxAttentionSpec | undefined;
  /**
   * Softmax: qDim + kDim + vDim + heads × vHeadDim (flash attention's per-token width). Linear attention:
   * 2·key + 2·value widths; Mamba: the intermediate size; 0 when the layer adds no attention phase.
   */
  attentionDims: number;
  /** The factor before the state layer's width: 2 for linear attention, 4 for Mamba. */
  stateFactor: number;
  /** Dense MLP: 3 for gated (gate, act(gate), up live together), 2 for plain. */
  mlpFactor: number;
  /** Dense MLP: the intermediate size. */
  mlpDims: number;
  /** The MoE spec, when the layer's MLP is one. */
  moe: Extract<LayerSpec['mlp'], { kind: 'moe' }> | undefined;
}

/** Reduced classes per architecture (treated as immutable, like {@link layerClasses}). */
const activationCache = new WeakMap<Architecture, ActivationClass[]>();

/**
 * The layer classes reduced once per architecture, so an estimate does arithmetic only
 * (bench/throughput.mjs runs millions of estimates of one model).
 */
function activationClassesOf(arch: Architecture): ActivationClass[] {
  const hit = activationCache.get(arch);
  if (hit) return hit;
  const classes = layerClasses(arch).map(({ layer }): ActivationClass => {
    const a = layer.attention;
    const m = layer.mlp;
    const mlp =
      m.kind === 'dense'
        ? { mlpFactor: m.gated ? 3 : 2, mlpDims: m.intermediateSize, moe: undefined }
        : { mlpFactor: 0, mlpDims: 0, moe: m };
    if (a.kind === 'full' || a.kind === 'sliding' || a.kind === 'chunked') {
      const { qDim, kDim, vDim } = attentionDims(a);
      return { softmax: a, attentionDims: qDim + kDim + vDim + a.numHeads * a.vHeadDim, stateFactor: 0, ...mlp };
    }
    if (a.kind === 'linear') {
      const d = 2 * a.numKeyHeads * a.keyHeadDim + 2 * a.numValueHeads * a.valueHeadDim;
      return { softmax: undefined, attentionDims: d, stateFactor: 2, ...mlp };
    }
    if (a.kind === 'mamba') return { softmax: undefined, attentionDims: a.intermediateSize, stateFactor: 4, ...mlp };
    return { softmax: undefined, attentionDims: 0, stateFactor: 0, ...mlp };
  });
  activationCache.set(arch, classes);
  return classes;
}

/**
 * Peak activation memory of one inference forward pass. Layers run one after another and free their
 * intermediates, so the peak is the residual stream plus the largest single phase of any layer
 * (attention, MLP) — or the logits after the last layer, whichever is larger.
 * Naive attention adds the `L²` score matrix (measured in a naive-attention benchmark); flash attention does not.
 * Logits are computed in the compute dtype and up-cast to fp32 (transformers `logits.float()`),
 * so each holds `activationBytes + 4` bytes per vocabulary entry.
 * @returns bytes with parts `residual`, `attention`, `mlp`, `logits` and which phase sets the peak
 */
export function inferenceActivationBytes(arch: Architecture, o: InferenceActivationOptions): BreakdownPart {
  const h = arch.hiddenSize;
  const t = o.batch * o.chunkTokens;
  const keys = o.keyTokens ?? o.chunkTokens;
  const residual = 2 * t * h * o.activationBytes;
  let attention = 0;
  let scores = 0;
  let mlp = 0;
  const classes = activationClassesOf(arch);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    // The same operations in the same order as the per-layer formulas, on dimensions summed once.
    if (c.softmax !== undefined) {
      if (o.attention === 'naive') {
        const r = attentionPhaseBytes(c.softmax, o, keys, h);
        if (r.bytes > attention) {
          attention = r.bytes;
          scores = r.scores;
        }
      } else {
        // Flash: q, k, v of the chunk, the attention output, and the o_proj output (see attentionPhaseBytes).
        const bytes = (t * c.attentionDims + t * h) * o.activationBytes;
        if (bytes > attention) {
          attention = bytes;
          scores = 0;
        }
      }
    } else if (c.attentionDims > 0) {
      attention = Math.max(attention, c.stateFactor * t * c.attentionDims * o.activationBytes);
    }
    if (c.moe === undefined) {
      mlp = Math.max(mlp, c.mlpFactor * t * c.mlpDims * o.activationBytes);
    } else {
      const m = c.moe;
      const routed = t * m.topK * (3 * m.expertIntermediateSize + h) * o.activationBytes + t * m.numExperts * 4;
      const shared = m.shared ? 3 * t * m.shared.intermediateSize * o.activationBytes : 0;
      mlp = Math.max(mlp, routed + shared);
    }
  }
  const logitRows = o.logits === 'all' ? t : o.logits === 'last' ? o.batch : 0;
  const logits = logitRows * arch.vocabSize * (o.activationBytes + 4);
  const layerPeak = residual + Math.max(attention, mlp);
  const logitPeak = t * h * o.activationBytes + logits;
  const peakPhase = logitPeak > layerPeak ? 'logits' : attention >= mlp ? 'attention' : 'mlp';
  const bytes = Math.max(layerPeak, logitPeak);
  const n = formatCount;
  return lazyPart(
    bytes,
    () =>
      `prefill peak of ${n(o.chunkTokens)} tokens × batch ${o.batch}: residual + max(attention, MLP) or logits; ${
        o.attention === 'naive'
          ? `naive attention (scores ${o.batch} × heads × ${o.chunkTokens} × ${keys})`
          : 'flash attention (no L² term)'
      }; peak in ${peakPhase}`,
    {
      accuracy: 'model',
      source: 'transformers eager/SDPA attention and LlamaMLP; logits up-cast in LlamaForCausalLM.forward',
      parts: {
        residual: lazyPart(residual, () => 'hidden state + normed copy: 2 × tokens × hidden × bytes'),
        attention: lazyPart(
          attention,
          () => `q, k, v, output${o.attention === 'naive' ? ` + scores ${n(scores)} B` : ''}`,
        ),
        mlp: lazyPart(mlp, () => 'MLP intermediates (gate, act, up) or MoE expert caches'),
        logits: lazyPart(
          logits,
          () =>
            `${n(logitRows)} row${logitRows === 1 ? '' : 's'} × vocab ${n(arch.vocabSize)} × (${o.activationBytes} + 4 fp32) bytes`,
        ),
      },
    },
  );
}
