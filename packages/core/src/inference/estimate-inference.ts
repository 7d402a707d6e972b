import * as v from 'valibot';
import { inferenceActivationBytes } from '../memory/activations.js';
import type { Architecture } from '../model/architecture.js';
import { type Breakdown, type BreakdownPart, part } from '../memory/breakdown.js';
import { KV_DTYPE_IDS } from '../model/dtypes.js';
import { kvCacheBytes } from '../memory/kv-cache.js';
import { DEFAULT_OVERHEAD, OverheadOptionsSchema, overheadBytes } from '../memory/overhead.js';
import type { ParameterBreakdown } from '../model/parameters.js';
import { isPreparedModel, type PreparedModel, prepareModel } from '../model/prepare-model.js';
import { formatCount } from '../memory/units.js';
import { integerAtLeast, parseOrThrow, requireExactTotal } from '../validate.js';
import { plainFormats, type WeightBytesBreakdown, type WeightFormat } from '../formats/weight-format.js';

/**
 * Context assumed when none is given: 4096 tokens. Not the model's training maximum, which would
 * make a 128k-context model look unrunnable on hardware that runs it fine at ordinary lengths.
 */
export const DEFAULT_CONTEXT_TOKENS = 4096;

const dtype = v.picklist(KV_DTYPE_IDS, `unknown KV dtype; use one of ${KV_DTYPE_IDS.join(', ')}`);

/** valibot schema of the workload part of {@link InferenceOptions}. */
export const InferenceWorkloadSchema = v.object({
  context: v.optional(integerAtLeast(1, 'context (tokens)'), DEFAULT_CONTEXT_TOKENS),
  batch: v.optional(integerAtLeast(1, 'batch (sequences)'), 1),
  kvDtype: v.optional(dtype, 'f16'),
  kDtype: v.optional(dtype),
  vDtype: v.optional(dtype),
  activationDtype: v.optional(v.picklist(['f32', 'f16', 'bf16'], 'activationDtype must be f32, f16 or bf16'), 'bf16'),
  attention: v.optional(v.picklist(['flash', 'naive'], 'attention must be "flash" or "naive"'), 'flash'),
  prefillChunk: v.optional(integerAtLeast(1, 'prefillChunk (tokens)')),
  logits: v.optional(v.picklist(['all', 'last', 'none'], 'logits must be "all", "last" or "none"'), 'last'),
  forceMha: v.optional(v.boolean(), false),
  ignoreWindows: v.optional(v.boolean(), false),
  mlaCache: v.optional(v.picklist(['latent', 'expanded']), 'latent'),
  overhead: OverheadOptionsSchema,
});

/** Workload of an inference estimate; every field has a stated default. */
export type InferenceWorkload = v.InferInput<typeof InferenceWorkloadSchema>;
/** The workload after defaults were applied, as echoed in the result. */
export type ResolvedInferenceWorkload = v.InferOutput<typeof InferenceWorkloadSchema>;

export interface InferenceOptions extends InferenceWorkload {
  /** The model: an architecture, or a {@link PreparedModel} for many estimates of one model. */
  model: Architecture | PreparedModel;
  /** Weight format; default bf16. `@vramkit/quant` provides block formats (Q4_K_M, GPTQ, NF4…). */
  format?: WeightFormat;
}

/** Result of {@link estimateInference}: a breakdown plus what went in. */
export interface InferenceEstimate extends Breakdown {
  parameters: ParameterBreakdown;
  weights: WeightBytesBreakdown;
  format: string;
  workload: ResolvedInferenceWorkload;
  /** Defaults that were applied because the caller did not say, in words. */
  assumptions: string[];
}

const ACT_BYTES = { f32: 4, f16: 2, bf16: 2 } as const;

const ACT_DTYPES = ['f32', 'f16', 'bf16'] as const;
const ATTENTIONS = ['flash', 'naive'] as const;
const LOGITS = ['all', 'last', 'none'] as const;
const MLA_CACHES = ['latent', 'expanded'] as const;
const isCount = (x: unknown, min: number): x is number => typeof x === 'number' && Number.isInteger(x) && x >= min;
const isOneOf = <T extends string>(x: unknown, list: readonly T[]): x is T =>
  typeof x === 'string' && (list as readonly string[]).includes(x);

/**
 * The common case of {@link InferenceWorkloadSchema} without valibot's per-call cost: accepts only
 * inputs the schema accepts, resolving the same defaults; anything else (including every error)
 * goes through the schema, which stays the single source of messages. A property test holds the
 * two to the same answers.
 */
export function fastResolveWorkload(w: InferenceWorkload): ResolvedInferenceWorkload | undefined {
  // Plain checks, no per-call closures: this runs once per estimate (bench/throughput.mjs).
  const o = w.overhead;
  const {
    context,
    batch,
    kvDtype,
    kDtype,
    vDtype,
    activationDtype,
    attention,
    prefillChunk,
    logits,
    forceMha,
    ignoreWindows,
    mlaCache,
  } = w;
  if (
    (context !== undefined && !isCount(context, 1)) ||
    (batch !== undefined && !isCount(batch, 1)) ||
    (kvDtype !== undefined && !isOneOf(kvDtype, KV_DTYPE_IDS)) ||
    (kDtype !== undefined && !isOneOf(kDtype, KV_DTYPE_IDS)) ||
    (vDtype !== undefined && !isOneOf(vDtype, KV_DTYPE_IDS)) ||
    (activationDtype !== undefined && !isOneOf(activationDtype, ACT_DTYPES)) ||
    (attention !== undefined && !isOneOf(attention, ATTENTIONS)) ||
    (prefillChunk !== undefined && !isCount(prefillChunk, 1)) ||
    (logits !== undefined && !isOneOf(logits, LOGITS)) ||
    (forceMha !== undefined && typeof forceMha !== 'boolean') ||
    (ignoreWindows !== undefined && typeof ignoreWindows !== 'boolean') ||
    (mlaCache !== undefined && !isOneOf(mlaCache, MLA_CACHES)) ||
    (o !== undefined &&
      (typeof o !== 'object' ||
        o === null ||
        Array.isArray(o) ||
        (o.contextBytes !== undefined && !isCount(o.contextBytes, 0)) ||
        (o.allocatorFraction !== undefined &&
          !(
            typeof o.allocatorFraction === 'number' &&
            Number.isFinite(o.allocatorFraction) &&
            o.allocatorFraction >= 0 &&
            o.allocatorFraction <= 1
          ))))
  ) {
    return undefined;
  }
  return {
    context: context ?? DEFAULT_CONTEXT_TOKENS,
    batch: batch ?? 1,
    kvDtype: kvDtype ?? 'f16',
    ...(kDtype !== undefined ? { kDtype } : {}),
    ...(vDtype !== undefined ? { vDtype } : {}),
    activationDtype: activationDtype ?? 'bf16',
    attention: attention ?? 'flash',
    ...(prefillChunk !== undefined ? { prefillChunk } : {}),
    logits: logits ?? 'last',
    forceMha: forceMha ?? false,
    ignoreWindows: ignoreWindows ?? false,
    mlaCache: mlaCache ?? 'latent',
    overhead:
      o === undefined
        ? {}
        : {
            ...(o.contextBytes !== undefined ? { contextBytes: o.contextBytes } : {}),
            ...(o.allocatorFraction !== undefined ? { allocatorFraction: o.allocatorFraction } : {}),
          },
  };
}

/** The weights part of a breakdown, built once per (model, format) in the model's memo since it never changes. */
function weightsPart(prepared: PreparedModel, weights: WeightBytesBreakdown, formatId: string): BreakdownPart {
  let p = prepared.memo.weightParts.get(weights);
  if (!p) {
    p = part(weights.total, `Σ over ${weights.perTensor.length} tensors of bytes in ${formatId}`, {
      accuracy: 'exact',
      parts: Object.fromEntries(
        Object.entries(weights.byType).map(([type, s]) => [
          type,
          part(s.bytes, `${s.tensors} tensors, ${formatCount(s.elements)} weights`),
        ]),
      ),
    });
    prepared.memo.weightParts.set(weights, p);
  }
  return p;
}

/**
 * The result object. A class, so that `assumptions` is formatted on first read (solvers discard
 * most estimates unread) without a per-object accessor; `toJSON` keeps serialization complete.
 */
class Estimate implements InferenceEstimate {
  #assumptions: string[] | undefined;
  readonly #vocab: number;
  /** Bit set of defaults applied: 1 context, 2 format, 4 logits. */
  readonly #defaulted: number;

  constructor(
    readonly total: number,
    readonly parts: InferenceEstimate['parts'],
    readonly parameters: ParameterBreakdown,
    readonly weights: WeightBytesBreakdown,
    readonly format: string,
    readonly workload: ResolvedInferenceWorkload,
    vocab: number,
    defaulted: number,
  ) {
    this.#vocab = vocab;
    this.#defaulted = defaulted;
  }

  get assumptions(): string[] {
    this.#assumptions ??= describeDefaults(
      this.#vocab,
      this.workload,
      (this.#defaulted & 1) !== 0,
      (this.#defaulted & 2) !== 0,
      (this.#defaulted & 4) !== 0,
    );
    return this.#assumptions;
  }

  toJSON(): Omit<InferenceEstimate, 'toJSON'> {
    const { total, parts, parameters, weights, format, workload, assumptions } = this;
    return { total, parts, parameters, weights, format, workload, assumptions };
  }
}

/** The defaults an estimate applied, in words. */
function describeDefaults(
  vocab: number,
  w: ResolvedInferenceWorkload,
  context: boolean,
  format: boolean,
  logits: boolean,
): string[] {
  const out: string[] = [];
  if (context) out.push(`context defaulted to ${DEFAULT_CONTEXT_TOKENS} tokens (pass context to change it)`);
  if (format) out.push('weights in bf16 (pass a format to change it)');
  if (logits) {
    const rows = w.batch * Math.min(w.prefillChunk ?? w.context, w.context);
    const extra = (rows - w.batch) * vocab * (ACT_BYTES[w.activationDtype] + 4);
    out.push(
      `logits for the last token only, as generation computes them; a plain forward over the prompt (logits: all) keeps fp32 logits for every token: +${(extra / 1024 ** 3).toFixed(2)} GiB`,
    );
  }
  return out;
}

function workloadOf(options: InferenceOptions): InferenceWorkload {
  const { model: _model, format: _format, ...workload } = options;
  return workload;
}

/**
 * Memory to run a model for inference, as a breakdown: weights (exact per tensor), KV cache (exact
 * per layer), activations / compute buffer of the prefill (model), runtime overhead (explicit).
 * @param options model, format and workload (see {@link InferenceWorkloadSchema} for defaults)
 * @returns `total` and `parts.{weights,kvCache,activations,overhead}`, each with a note
 * @throws InvalidInputError naming the field when an option is out of range or of the wrong type
 */
export function estimateInference(options: InferenceOptions): InferenceEstimate {
  const { model, format = plainFormats.bf16 } = options;
  // The options object is the workload (the fast path reads only workload fields); the schema,
  // which strips unknown keys, gets the workload alone so that its messages name only its fields.
  const workload =
    fastResolveWorkload(options) ?? parseOrThrow(InferenceWorkloadSchema, workloadOf(options), 'workload');
  const prepared = isPreparedModel(model) ? model : prepareModel(model);
  const arch = prepared.arch;
  const weights = prepared.weightsIn(format);
  const kDtype = workload.kDtype ?? workload.kvDtype;
  const vDtype = workload.vDtype ?? workload.kvDtype;
  const kv = kvCacheBytes(arch, {
    tokens: workload.context,
    batch: workload.batch,
    kDtype,
    vDtype,
    forceMha: workload.forceMha,
    ignoreWindows: workload.ignoreWindows,
    mlaCache: workload.mlaCache,
  });
  const chunk = Math.min(workload.prefillChunk ?? workload.context, workload.context);
  const activations = inferenceActivationBytes(arch, {
    chunkTokens: chunk,
    keyTokens: workload.context,
    batch: workload.batch,
    activationBytes: ACT_BYTES[workload.activationDtype],
    attention: workload.attention,
    logits: workload.logits,
  });
  const overhead = overheadBytes(kv.bytes + activations.bytes, {
    contextBytes: workload.overhead.contextBytes ?? DEFAULT_OVERHEAD.contextBytes,
    allocatorFraction: workload.overhead.allocatorFraction ?? DEFAULT_OVERHEAD.allocatorFraction,
  });
  const total = weights.total + kv.bytes + activations.bytes + overhead.bytes;
  // Bounded inputs can still multiply past 2^53 (context × batch × KV width, naive attention's context²).
  if (!Number.isSafeInteger(total))
    requireExactTotal(total, 'workload.context', { context: workload.context, batch: workload.batch });
  return new Estimate(
    total,
    { weights: weightsPart(prepared, weights, format.id), kvCache: kv, activations, overhead },
    prepared.parameters,
    weights,
    format.id,
    workload,
    arch.vocabSize,
    (options.context === undefined ? 1 : 0) |
      (options.format === undefined ? 2 : 0) |
      (options.logits === undefined ? 4 : 0),
  );
}
