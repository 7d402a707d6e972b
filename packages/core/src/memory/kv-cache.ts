import type { Architecture, LayerSpec } from '../model/architecture.js';
import { type BreakdownPart, lazyPart } from './breakdown.js';
import { type BlockLayout, KV_DTYPE_IDS, kvDtypeLayout, rowBytes } from '../model/dtypes.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { layerClasses } from '../model/layer-classes.js';
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

/** The part of the breakdown a layer's cache is reported under. */
type KvGroup = 'full' | 'sliding' | 'chunked' | 'latent' | 'recurrentState';

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

function stateLayer(layer: LayerSpec, state: BlockLayout, conv: BlockLayout): { perSequence: number; group: KvGroup } {
  const a = layer.attention;
  if (a.kind === 'linear') {
    // Gated DeltaNet: conv state over (2·key_dim + value_dim) channels × (kernel − 1), and a
    // key_dim × value_dim recurrent state per value head (transformers Qwen3NextDynamicCache).
    const convDim = 2 * a.numKeyHeads * a.keyHeadDim + a.numValueHeads * a.valueHeadDim;
    const convBytes = rowBytes(conv, convDim * (a.convKernel - 1));
    const recBytes = rowBytes(state, a.numValueHeads * a.keyHeadDim * a.valueHeadDim);
    return { perSequence: convBytes + recBytes, group: 'recurrentState' };
  }
  if (a.kind === 'mamba') {
    // transformers MambaCache: conv_states [batch, intermediate, conv_kernel], ssm_states [batch, intermediate, state].
    const convBytes = rowBytes(conv, a.intermediateSize * a.convKernel);
    const recBytes = rowBytes(state, a.intermediateSize * a.stateSize);
    return { perSequence: convBytes + recBytes, group: 'recurrentState' };
  }
  return { perSequence: 0, group: 'full' };
}

const GROUP_NOTES: Record<KvGroup, string> = {
  full: 'full attention: 2 × kv_heads × head_dim × tokens × batch × bytes',
  sliding: 'sliding window: tokens capped at the window',
  chunked: 'chunked attention: tokens capped at the chunk size',
  latent: 'MLA latent: (kv_lora_rank + qk_rope_head_dim) × tokens × batch × bytes',
  recurrentState: 'recurrent state of linear-attention / SSM layers: fixed per sequence',
};

/** The extras of a group part, shared: lazyPart copies its fields, so one object serves every call. */
const KV_EXTRA = { accuracy: 'exact' } as const;

/** One layer class's share of the cache, with everything that does not depend on tokens or batch resolved. */
interface KvClassLayout {
  /** Index of its group in {@link KvLayout.groups}. */
  group: number;
  /** Layers in the class. */
  count: number;
  /** Softmax layers: bytes per held token per sequence (K row + V row, or the MLA latent row); 0 for state layers. */
  row: number;
  /** Tokens the layer holds at most (window + extra for sliding, chunk size for chunked); Infinity when uncapped. */
  cap: number;
  /** State layers: bytes per sequence (conv + recurrent state); 0 for softmax layers. */
  perSequence: number;
  /** True for softmax layers (bytes grow with held tokens), false for fixed recurrent state. */
  softmax: boolean;
}

/** A group's constants: its name and how many layers it has, in order of first appearance. */
interface KvGroupLayout {
  name: KvGroup;
  layers: number;
  /** The first class of the group, whose held tokens the note reports. */
  first: number;
}

/**
 * The per-model half of {@link kvCacheBytes}: row bytes and window caps per layer class and the
 * groups they fall in, for one choice of dtypes and layout switches. Built once per (architecture,
 * choices) and reused, so an estimate only multiplies by tokens and batch (bench/throughput.mjs
 * runs millions of estimates of one model).
 */
interface KvLayout {
  classes: KvClassLayout[];
  groups: KvGroupLayout[];
}

/** Resolves the layout, throwing exactly the errors (and in the order) the per-call code did. */
function buildKvLayout(arch: Architecture, o: KvCacheOptions, kName: string, vName: string): KvLayout {
  const k = layout(kName, 'kvCache.kDtype');
  const v = layout(vName, 'kvCache.vDtype');
  const state = layout(o.stateDtype ?? 'f32', 'kvCache.stateDtype');
  const classes: KvClassLayout[] = [];
  const groups: KvGroupLayout[] = [];
  for (const { layer, count } of layerClasses(arch)) {
    const a = layer.attention;
    let name: KvGroup;
    let row = 0;
    let cap = Number.POSITIVE_INFINITY;
    let perSequence = 0;
    const softmax = a.kind === 'full' || a.kind === 'sliding' || a.kind === 'chunked';
    if (softmax) {
      // Held tokens are min(tokens, cap): the cap is the window (plus llama.cpp's extra for sliding layers).
      name = a.kind === 'full' ? 'full' : a.kind;
      if (!o.ignoreWindows && a.window !== undefined && a.kind !== 'full') {
        cap = a.window + (a.kind === 'sliding' ? (o.slidingExtraTokens ?? 0) : 0);
      } else if (a.kind !== 'full') {
        name = 'full';
      }
      if (a.mla && (o.mlaCache ?? 'latent') === 'latent') {
        // DeepSeek-V2 §2.1.2: only c_t^KV (kv_lora_rank) and the decoupled RoPE key (qk_rope_head_dim) are cached.
        row = rowOrThrow(k, a.mla.kvLoraRank + a.mla.qkRopeHeadDim, 'kvCache.kDtype');
        name = 'latent';
      } else {
        const kvHeads = o.forceMha ? a.numHeads : a.numKvHeads;
        const kElems = a.mla ? a.numHeads * (a.mla.qkNopeHeadDim + a.mla.qkRopeHeadDim) : kvHeads * a.headDim;
        const vElems = a.mla ? a.numHeads * a.mla.vHeadDim : kvHeads * a.vHeadDim;
        row = rowOrThrow(k, kElems, 'kvCache.kDtype') + rowOrThrow(v, vElems, 'kvCache.vDtype');
      }
    } else {
      const r = stateLayer(layer, state, k);
      name = r.group;
      perSequence = r.perSequence;
    }
    let g = groups.findIndex((x) => x.name === name);
    if (g < 0) {
      g = groups.length;
      groups.push({ name, layers: 0, first: classes.length });
    }
    groups[g]!.layers += count;
    classes.push({ group: g, count, row, cap, perSequence, softmax });
  }
  return { classes, groups };
}

/** The options a layout depends on (everything but tokens and batch), resolved to their defaults. */
interface KvChoices {
  kName: string;
  vName: string;
  stateDtype: string;
  forceMha: boolean;
  ignoreWindows: boolean;
  mlaCache: 'latent' | 'expanded';
  slidingExtraTokens: number;
}

/** Layouts of one architecture: the last one used (checked field by field), and all built, by key. */
interface KvLayouts {
  last: { choices: KvChoices; layout: KvLayout } | undefined;
  byKey: Map<string, KvLayout>;
}

/** Layouts built so far, per architecture (treated as immutable, like {@link layerClasses}). */
const layoutCache = new WeakMap<Architecture, KvLayouts>();

function kvLayoutOf(arch: Architecture, o: KvCacheOptions, kName: string, vName: string): KvLayout {
  let cached = layoutCache.get(arch);
  if (!cached) {
    cached = { last: undefined, byKey: new Map() };
    layoutCache.set(arch, cached);
  }
  const stateDtype = o.stateDtype ?? 'f32';
  const forceMha = o.forceMha === true;
  const ignoreWindows = o.ignoreWindows === true;
  const mlaCache = o.mlaCache ?? 'latent';
  const slidingExtraTokens = o.slidingExtraTokens ?? 0;
  // Estimates of one model mostly repeat one choice: comparing it costs less than building a key.
  const last = cached.last;
  if (
    last !== undefined &&
    last.choices.kName === kName &&
    last.choices.vName === vName &&
    last.choices.stateDtype === stateDtype &&
    last.choices.forceMha === forceMha &&
    last.choices.ignoreWindows === ignoreWindows &&
    last.choices.mlaCache === mlaCache &&
    last.choices.slidingExtraTokens === slidingExtraTokens
  ) {
    return last.layout;
  }
  const key = `${kName}|${vName}|${stateDtype}|${forceMha ? 1 : 0}${ignoreWindows ? 1 : 0}|${mlaCache}|${slidingExtraTokens}`;
  let l = cached.byKey.get(key);
  if (!l) {
    l = buildKvLayout(arch, o, kName, vName);
    // Bounded: callers that sweep dtypes or window extras must not grow it without end.
    if (cached.byKey.size >= 64) cached.byKey.clear();
    cached.byKey.set(key, l);
  }
  cached.last = {
    choices: { kName, vName, stateDtype, forceMha, ignoreWindows, mlaCache, slidingExtraTokens },
    layout: l,
  };
  return l;
}

/**
 * One class's bytes per layer: row × held tokens × batch for softmax layers, state × batch otherwise
 * (the operations, and their order, of the layer-by-layer formula, so results stay bit-identical).
 */
function classBytes(c: KvClassLayout, tokens: number, batch: number): number {
  return c.softmax ? c.row * Math.min(tokens, c.cap) * batch : c.perSequence * batch;
}

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
  const { classes, groups } = kvLayoutOf(arch, o, kName, vName);
  const tokens = o.tokens;
  const batch = o.batch;
  let total = 0;
  let bytesPerToken = 0;
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    const bytes = classBytes(c, tokens, batch);
    total += bytes * c.count;
    // Only layers holding every token grow per token (held > 0 also keeps tokens = 0 from dividing by zero).
    const held = c.softmax ? Math.min(tokens, c.cap) : 0;
    if (held > 0 && held === tokens) bytesPerToken += (bytes * c.count) / tokens / batch;
  }
  const parts: Record<string, BreakdownPart> = {};
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const first = classes[g.first]!;
    const held = first.softmax ? Math.min(tokens, first.cap) : 0;
    // The group's sum, in class order like the total (no per-call array: a model has one to three groups).
    let bytes = 0;
    for (let j = g.first; j < classes.length; j++) {
      const c = classes[j]!;
      if (c.group === i) bytes += classBytes(c, tokens, batch) * c.count;
    }
    parts[g.name] = lazyPart(
      bytes,
      () =>
        `${GROUP_NOTES[g.name]} (${g.layers} layers${g.name === 'recurrentState' ? '' : `, ${formatCount(held)} tokens held`})`,
      KV_EXTRA,
    );
  }
  const dtypes = kName === vName ? kName : `K ${kName} / V ${vName}`;
  const result = lazyPart(
    total,
    () =>
      `${arch.layers.length} layers × ${formatCount(tokens)} tokens × batch ${batch} in ${dtypes}${o.forceMha ? ' (forced MHA: kv_heads = heads — the naive assumption)' : ''}`,
    { accuracy: 'exact', parts },
  ) as KvCacheBreakdown;
  result.bytesPerToken = Math.round(bytesPerToken);
  return result;
}
