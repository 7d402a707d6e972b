import type { Architecture, LayerSpec, SoftmaxAttentionSpec } from './architecture.js';
import { type BreakdownPart, lazyPart } from './breakdown.js';
import { type BlockLayout, KV_DTYPE_IDS, kvDtypeLayout, rowBytes } from './dtypes.js';
import { InvalidInputError } from './errors/invalid-input-error.js';
import { layerClasses } from './layer-classes.js';
import { formatCount } from './units.js';

/** How the KV cache of one workload is laid out. */
export interface KvCacheOptions {
  /** Tokens per sequence the cache must hold (context length). */
  tokens: number;
  /** Sequences held at once. */
  batch: number;
  /** K dtype (`f16`, `bf16`, `fp8`, `q8_0`, `q4_0`, …). Default `f16`. */
  kDtype?: string;
  /** V dtype; defaults to `kDtype`. */
  vDtype?: string;
  /**
   * Reproduce the multi-head assumption of naive calculators: every layer caches `numHeads` K/V
   * heads. Wrong for GQA/MQA models; exists to show by how much.
   */
  forceMha?: boolean;
  /** Ignore sliding windows and chunking: every layer caches every token (engines that do not evict). */
  ignoreWindows?: boolean;
  /** Extra tokens a sliding layer keeps beyond its window (llama.cpp keeps window + ubatch). */
  slidingExtraTokens?: number;
  /**
   * MLA cache layout: `latent` caches `kv_lora_rank + qk_rope_head_dim` per token (vLLM, SGLang,
   * llama.cpp since its MLA support); `expanded` caches full per-head K and V (transformers).
   */
  mlaCache?: 'latent' | 'expanded';
  /** dtype of recurrent states of linear-attention / SSM layers. Default `f32`. */
  stateDtype?: string;
}

/** KV cache bytes per layer kind, with the per-token cost for reading. */
export interface KvCacheBreakdown extends BreakdownPart {
  /** Bytes per token per sequence of the layers whose cache grows with every token (full attention). */
  bytesPerToken: number;
}

interface LayerKv {
  bytes: number;
  group: 'full' | 'sliding' | 'chunked' | 'latent' | 'recurrentState';
  heldTokens: number;
}

function layout(dtype: string, path: string): BlockLayout {
  const l = kvDtypeLayout(dtype);
  if (!l) {
    throw new InvalidInputError([
      { path, message: `unknown KV dtype "${dtype}"; use one of ${KV_DTYPE_IDS.join(', ')}`, received: dtype },
    ]);
  }
  return l;
}

function rowOrThrow(l: BlockLayout, elements: number, path: string): number {
  if (elements % l.blockElements !== 0) {
    throw new InvalidInputError([
      {
        path,
        message: `${l.id} packs ${l.blockElements} values per block but a cache row holds ${elements}; pick f16 or a type whose block divides the row`,
        received: l.id,
      },
    ]);
  }
  return rowBytes(l, elements);
}

function softmaxLayer(a: SoftmaxAttentionSpec, o: Required<Pick<KvCacheOptions, 'tokens' | 'batch'>> & KvCacheOptions, k: BlockLayout, v: BlockLayout): LayerKv {
  let held = o.tokens;
  let group: LayerKv['group'] = a.kind === 'full' ? 'full' : a.kind;
  if (!o.ignoreWindows && a.window !== undefined && a.kind !== 'full') {
    held = Math.min(o.tokens, a.window + (a.kind === 'sliding' ? (o.slidingExtraTokens ?? 0) : 0));
  } else if (a.kind !== 'full') {
    group = 'full';
  }
  if (a.mla && (o.mlaCache ?? 'latent') === 'latent') {
    // DeepSeek-V2 §2.1.2: only c_t^KV (kv_lora_rank) and the decoupled RoPE key (qk_rope_head_dim) are cached.
    const row = rowOrThrow(k, a.mla.kvLoraRank + a.mla.qkRopeHeadDim, 'kvCache.kDtype');
    return { bytes: row * held * o.batch, group: 'latent', heldTokens: held };
  }
  const kvHeads = o.forceMha ? a.numHeads : a.numKvHeads;
  const kElems = a.mla ? a.numHeads * (a.mla.qkNopeHeadDim + a.mla.qkRopeHeadDim) : kvHeads * a.headDim;
  const vElems = a.mla ? a.numHeads * a.mla.vHeadDim : kvHeads * a.vHeadDim;
  const bytes = (rowOrThrow(k, kElems, 'kvCache.kDtype') + rowOrThrow(v, vElems, 'kvCache.vDtype')) * held * o.batch;
  return { bytes, group, heldTokens: held };
}

function stateLayer(layer: LayerSpec, batch: number, state: BlockLayout, conv: BlockLayout): LayerKv {
  const a = layer.attention;
  if (a.kind === 'linear') {
    // Gated DeltaNet: conv state over (2·key_dim + value_dim) channels × (kernel − 1), and a
    // key_dim × value_dim recurrent state per value head (transformers Qwen3NextDynamicCache).
    const convDim = 2 * a.numKeyHeads * a.keyHeadDim + a.numValueHeads * a.valueHeadDim;
    const convBytes = rowBytes(conv, convDim * (a.convKernel - 1));
    const recBytes = rowBytes(state, a.numValueHeads * a.keyHeadDim * a.valueHeadDim);
    return { bytes: (convBytes + recBytes) * batch, group: 'recurrentState', heldTokens: 0 };
  }
  if (a.kind === 'mamba') {
    // transformers MambaCache: conv_states [batch, intermediate, conv_kernel], ssm_states [batch, intermediate, state].
    const convBytes = rowBytes(conv, a.intermediateSize * a.convKernel);
    const recBytes = rowBytes(state, a.intermediateSize * a.stateSize);
    return { bytes: (convBytes + recBytes) * batch, group: 'recurrentState', heldTokens: 0 };
  }
  return { bytes: 0, group: 'full', heldTokens: 0 };
}

const GROUP_NOTES: Record<LayerKv['group'], string> = {
  full: 'full attention: 2 × kv_heads × head_dim × tokens × batch × bytes',
  sliding: 'sliding window: tokens capped at the window',
  chunked: 'chunked attention: tokens capped at the chunk size',
  latent: 'MLA latent: (kv_lora_rank + qk_rope_head_dim) × tokens × batch × bytes',
  recurrentState: 'recurrent state of linear-attention / SSM layers: fixed per sequence',
};

/**
 * The KV cache a workload needs, layer by layer: softmax layers cache K and V per token (capped by
 * sliding windows), MLA layers cache the compressed latent, linear-attention and SSM layers hold a
 * fixed recurrent state. Block dtypes (q8_0, q4_0…) include their scales.
 * @param arch the architecture
 * @param options tokens, batch, dtypes and layout switches
 * @returns bytes with a part per layer kind, per-layer bytes and bytes per token
 * @throws InvalidInputError for unknown dtypes or rows a block type cannot pack
 */
export function kvCacheBytes(arch: Architecture, options: KvCacheOptions): KvCacheBreakdown {
  const o = options;
  const kName = o.kDtype ?? 'f16';
  const vName = o.vDtype ?? kName;
  const k = layout(kName, 'kvCache.kDtype');
  const v = layout(vName, 'kvCache.vDtype');
  const state = layout(o.stateDtype ?? 'f32', 'kvCache.stateDtype');
  let total = 0;
  let bytesPerToken = 0;
  const groups: { name: LayerKv['group']; bytes: number; layers: number; held: number }[] = [];
  for (const { layer, count } of layerClasses(arch)) {
    const a = layer.attention;
    const r = a.kind === 'full' || a.kind === 'sliding' || a.kind === 'chunked' ? softmaxLayer(a, o, k, v) : stateLayer(layer, o.batch, state, k);
    let g = groups.find((x) => x.name === r.group);
    if (!g) {
      g = { name: r.group, bytes: 0, layers: 0, held: r.heldTokens };
      groups.push(g);
    }
    g.bytes += r.bytes * count;
    g.layers += count;
    total += r.bytes * count;
    if (r.heldTokens > 0 && r.heldTokens === o.tokens) bytesPerToken += (r.bytes * count) / o.tokens / o.batch;
  }
  const parts: Record<string, BreakdownPart> = {};
  for (const g of groups) {
    parts[g.name] = lazyPart(g.bytes, () => `${GROUP_NOTES[g.name]} (${g.layers} layers${g.name === 'recurrentState' ? '' : `, ${formatCount(g.held)} tokens held`})`, { accuracy: 'exact' });
  }
  const dtypes = kName === vName ? kName : `K ${kName} / V ${vName}`;
  const result = lazyPart(
    total,
    () => `${arch.layers.length} layers × ${formatCount(o.tokens)} tokens × batch ${o.batch} in ${dtypes}${o.forceMha ? ' (forced MHA: kv_heads = heads — the naive assumption)' : ''}`,
    { accuracy: 'exact', parts },
  ) as KvCacheBreakdown;
  result.bytesPerToken = Math.round(bytesPerToken);
  return result;
}
