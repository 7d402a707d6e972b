import { type FormatContext, type Tensor, tensorElements, VramkitError, type WeightFormat } from '@vramkit/core';
import { isQuantizedLinear } from './linear-weights.js';

/** Options of the conformance checks. */
export interface ConformanceOptions {
  /** Tensors the format must size; default {@link CONFORMANCE_TENSORS}. Give dtypes for a format that reads them. */
  tensors?: readonly Tensor[];
  /** Context passed to every call; default `{ numLayers: 32 }`. */
  ctx?: FormatContext;
  /** Extra tensors the format must refuse with a VramkitError (besides negative/NaN/fractional dims). */
  impossible?: readonly Tensor[];
  /**
   * How far, in bits per weight, the least-stored quantized matrix of the sample may sit from the
   * format's declared `bitsPerWeight` (group scales, zeros and a recipe's lower-bit tensors). Default 0.5.
   */
  bitsPerWeightTolerance?: number;
}

/** The default sample: a layer of a 4096-wide llama-like model plus embeddings, norms and an expert stack. */
export const CONFORMANCE_TENSORS: readonly Tensor[] = [
  { name: 'model.embed_tokens.weight', role: 'token_embd', kind: 'weight', shape: [32768, 4096], module: 'embed_tokens' },
  { name: 'model.layers.0.input_layernorm.weight', role: 'attn_norm', kind: 'norm', layer: 0, shape: [4096] },
  { name: 'model.layers.0.self_attn.q_proj.weight', role: 'attn_q', kind: 'weight', layer: 0, shape: [4096, 4096], module: 'q_proj' },
  { name: 'model.layers.0.self_attn.v_proj.weight', role: 'attn_v', kind: 'weight', layer: 0, shape: [1024, 4096], module: 'v_proj' },
  { name: 'model.layers.0.self_attn.q_proj.bias', role: 'attn_q', kind: 'bias', layer: 0, shape: [4096], module: 'q_proj' },
  { name: 'model.layers.0.mlp.down_proj.weight', role: 'ffn_down', kind: 'weight', layer: 0, shape: [4096, 14336], module: 'down_proj' },
  { name: 'model.layers.1.mlp.experts.down_proj', role: 'ffn_down_exps', kind: 'weight', layer: 1, shape: [8, 4096, 1024], module: 'down_proj' },
  { name: 'model.norm.weight', role: 'output_norm', kind: 'norm', shape: [4096] },
  { name: 'lm_head.weight', role: 'output', kind: 'weight', shape: [32768, 4096], module: 'lm_head' },
];

/** The checks of the suite, by name; each lists what it found wrong (empty: passed). */
export interface ConformanceReport {
  spec: string[];
  sizes: string[];
  growth: string[];
  bitsPerWeight: string[];
  errors: string[];
}

function scaled(t: Tensor, k: number): Tensor {
  // The outermost dimension: output rows of a matrix, experts of a 3-D stack, length of a vector.
  const shape = [...t.shape];
  shape[0] = (shape[0] ?? 1) * k;
  return { ...t, shape };
}

function attempt<T>(f: () => T): { value: T } | { error: unknown } {
  try {
    return { value: f() };
  } catch (error) {
    return { error };
  }
}

function checkSpec(format: WeightFormat): string[] {
  const out: string[] = [];
  if (format.specVersion !== 'v1') out.push(`specVersion is ${JSON.stringify(format.specVersion)}, not "v1"`);
  if (typeof format.id !== 'string' || !/^\S+$/.test(format.id)) out.push(`id ${JSON.stringify(format.id)} is empty or has spaces`);
  if (typeof format.description !== 'string' || format.description.length === 0) out.push('description is empty');
  if (typeof format.bytesForTensor !== 'function') out.push('bytesForTensor is not a function');
  const bpw = format.bitsPerWeight;
  if (bpw !== undefined && !(Number.isFinite(bpw) && bpw > 0 && bpw <= 64)) out.push(`bitsPerWeight ${bpw} is not in (0, 64]`);
  return out;
}

function checkSizes(format: WeightFormat, tensors: readonly Tensor[], ctx: FormatContext): string[] {
  const out: string[] = [];
  for (const t of tensors) {
    const frozen = Object.freeze({ ...t, shape: Object.freeze([...t.shape]) }) as Tensor;
    const a = attempt(() => format.bytesForTensor(frozen, ctx));
    if ('error' in a) {
      out.push(`${t.name}: threw ${String(a.error)}`);
      continue;
    }
    const r = a.value;
    if (!Number.isSafeInteger(r.bytes) || r.bytes < 0) out.push(`${t.name}: bytes ${r.bytes} is not a non-negative integer`);
    // Every stored value takes space: a format answering 0 for a non-empty tensor has lost it.
    else if (tensorElements(t) > 0 && r.bytes === 0) out.push(`${t.name}: 0 bytes for ${tensorElements(t)} values`);
    if (typeof r.type !== 'string' || r.type.length === 0) out.push(`${t.name}: no type name`);
    const b = format.bytesForTensor({ ...t, shape: [...t.shape] }, ctx);
    if (b.bytes !== r.bytes || b.type !== r.type) out.push(`${t.name}: a second call answered ${b.bytes} ${b.type}, the first ${r.bytes} ${r.type}`);
  }
  return out;
}

function checkGrowth(format: WeightFormat, tensors: readonly Tensor[], ctx: FormatContext): string[] {
  const out: string[] = [];
  for (const t of tensors) {
    if (tensorElements(t) === 0) continue;
    const what = t.shape.length === 3 ? 'experts' : t.shape.length === 2 ? 'rows' : 'elements';
    let prev = format.bytesForTensor(t, ctx).bytes;
    for (const k of [2, 3]) {
      const next = format.bytesForTensor(scaled(t, k), ctx).bytes;
      if (!(next > prev)) out.push(`${t.name}: ${k}× the ${what} (${scaled(t, k).shape.join('×')}) needs ${next} bytes, not more than ${prev}`);
      prev = next;
    }
  }
  return out;
}

function checkBitsPerWeight(format: WeightFormat, tensors: readonly Tensor[], ctx: FormatContext, tolerance: number): string[] {
  const declared = format.bitsPerWeight;
  if (declared === undefined) return [];
  let least: { bits: number; name: string } | undefined;
  for (const t of tensors) {
    if (!isQuantizedLinear(t)) continue;
    const bits = (format.bytesForTensor(t, ctx).bytes * 8) / tensorElements(t);
    if (!least || bits < least.bits) least = { bits, name: t.name };
  }
  if (!least) return ['the sample has no quantizable matrix to measure bits per weight on'];
  if (Math.abs(least.bits - declared) > tolerance) {
    return [`${least.name} is stored at ${least.bits.toFixed(4)} bits per weight; the format declares ${declared} (± ${tolerance})`];
  }
  return [];
}

function checkErrors(format: WeightFormat, tensors: readonly Tensor[], ctx: FormatContext, impossible: readonly Tensor[]): string[] {
  const sample = tensors.find((t) => t.kind === 'weight' && t.shape.length === 2) ?? tensors[0];
  const bad: Tensor[] = sample
    ? [
        { ...sample, name: 'negative', shape: [-1, sample.shape[1] ?? 1] },
        { ...sample, name: 'nan', shape: [Number.NaN, sample.shape[1] ?? 1] },
        { ...sample, name: 'fraction', shape: [1.5, sample.shape[1] ?? 1] },
      ]
    : [];
  const out: string[] = [];
  for (const t of [...bad, ...impossible]) {
    const r = attempt(() => format.bytesForTensor(t, ctx));
    if (!('error' in r)) out.push(`${t.name} (${t.shape.join('×')}): answered ${r.value.bytes} bytes instead of throwing`);
    else if (!VramkitError.isInstance(r.error) || !/^[A-Z_]+$/.test(r.error.code)) out.push(`${t.name}: threw ${String(r.error)}, not a VramkitError with a code`);
  }
  return out;
}

/**
 * Runs the behavioural conformance checks on a format and reports what failed, check by check:
 * `spec` (v1, id, description, bitsPerWeight in range); `sizes` (integer, non-zero bytes for every
 * non-empty sample tensor, deterministic, inputs untouched); `growth` (strictly more bytes for 2× and
 * 3× the rows of a matrix, the experts of a 3-D stack, the length of a vector); `bitsPerWeight` (the
 * least-stored quantized matrix within `bitsPerWeightTolerance` of the declared bits); `errors`
 * (negative, NaN and fractional dimensions raise a VramkitError). A format that returns a constant
 * or 0 bytes, or drops the experts factor, fails.
 * @param format the format under test
 * @param options sample tensors, context, extra impossible tensors, bits tolerance
 * @returns the problems found per check
 */
export function checkWeightFormatConformance(format: WeightFormat, options: ConformanceOptions = {}): ConformanceReport {
  const tensors = options.tensors ?? CONFORMANCE_TENSORS;
  const ctx = options.ctx ?? { numLayers: 32 };
  const spec = checkSpec(format);
  if (spec.length > 0) return { spec, sizes: [], growth: [], bitsPerWeight: [], errors: [] };
  const sizes = checkSizes(format, tensors, ctx);
  const usable = sizes.length === 0;
  return {
    spec,
    sizes,
    growth: usable ? checkGrowth(format, tensors, ctx) : ['skipped: sizes failed'],
    bitsPerWeight: usable ? checkBitsPerWeight(format, tensors, ctx, options.bitsPerWeightTolerance ?? 0.5) : ['skipped: sizes failed'],
    errors: checkErrors(format, tensors, ctx, options.impossible ?? []),
  };
}
