import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { prepared } from './devices.js';
import { ENGINE_PROFILES, engineProfile } from './engine-profiles.js';
import {
  type Binding,
  type EngineRun,
  modelContextLimit,
  resolvedWorkload,
  runEngine,
  type ServingOptions,
} from './serving.js';

/** Answer of a solver: the largest value that fits, the run there, and what stops one step more. */
export interface SolveResult {
  /** Largest value that fits; 0 when even the smallest does not. */
  value: number;
  /** What prevents `value + 1` (or `model-context` when the model's own limit is reached). */
  binding: Binding;
  /** The engine run at `value` (at 1 when nothing fits). */
  run: EngineRun;
}

/**
 * Largest integer in [lo, hi] for which `fits` holds, by bisection; `fits` must be monotone
 * (true up to some value, false after), which every engine model here is in context and batch.
 */
function bisectMax(lo: number, hi: number, fits: (n: number) => boolean): number {
  if (!fits(lo)) return lo - 1;
  if (fits(hi)) return hi;
  let good = lo;
  let bad = hi;
  while (bad - good > 1) {
    const mid = good + Math.floor((bad - good) / 2);
    if (fits(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/** The question with the engine's totals freed, so a solver can vary them (its profile's `unpinned`). */
function unpinned(o: ServingOptions, what: 'context' | 'batch'): ServingOptions {
  return engineProfile(o.engine).unpinned?.(o, what) ?? o;
}

/** Upper bound when the model states no position limit: 2²⁰ tokens. */
const UNBOUNDED_CONTEXT = 1 << 20;

/**
 * The longest context (tokens per sequence) that fits at a batch, by bisection over the engine model.
 * @param o the serving question (its `context` is ignored)
 * @param options.batch sequences at once (default the question's batch)
 * @returns the context, the run there, and the binding constraint of one token more
 */
export function solveMaxContext(question: ServingOptions, options: { batch?: number } = {}): SolveResult {
  const batch = options.batch ?? resolvedWorkload(question).batch;
  const o = unpinned(question, 'context');
  const limit = modelContextLimit(o) ?? UNBOUNDED_CONTEXT;
  const cache = new Map<number, EngineRun>();
  const run = (c: number) => {
    let r = cache.get(c);
    if (!r) {
      r = runEngine(o, c, batch);
      cache.set(c, r);
    }
    return r;
  };
  const value = bisectMax(1, limit, (c) => run(c).fits);
  if (value === limit) return { value, binding: 'model-context', run: run(value) };
  return { value: Math.max(0, value), binding: run(value + 1).binding, run: run(Math.max(1, value)) };
}

/**
 * The most sequences of a context that fit at once.
 * @param o the serving question (its `batch` is ignored)
 * @param options.context tokens per sequence (default the question's context); options.maxBatch search bound (default 4096)
 * @returns the batch, the run there, and the binding constraint of one sequence more
 */
export function solveMaxBatch(
  question: ServingOptions,
  options: { context?: number; maxBatch?: number } = {},
): SolveResult {
  const context = options.context ?? resolvedWorkload(question).context;
  const o = unpinned(question, 'batch');
  const cap = engineProfile(o.engine).maxSequences ?? Number.POSITIVE_INFINITY;
  const hi = Math.min(options.maxBatch ?? 4096, cap);
  const cache = new Map<number, EngineRun>();
  const run = (b: number) => {
    let r = cache.get(b);
    if (!r) {
      r = runEngine(o, context, b);
      cache.set(b, r);
    }
    return r;
  };
  const value = bisectMax(1, hi, (b) => run(b).fits);
  if (value === hi) return { value, binding: hi === cap ? 'max-num-seqs' : 'none', run: run(value) };
  return { value: Math.max(0, value), binding: run(value + 1).binding, run: run(Math.max(1, value)) };
}

/** One candidate format's verdict. */
export interface FormatFit {
  format: WeightFormat;
  weightBytes: number;
  fits: boolean;
  /** Largest per-GPU total of the run. */
  peakGpuBytes: number;
  /** Smallest free memory over the GPUs (negative when it does not fit). */
  headroomBytes: number;
  binding: Binding;
}

/**
 * Tries each candidate weight format at the question's context and batch.
 * @param o the serving question
 * @param formats candidates (from @vramkit/quant, or core's plainFormats)
 * @returns every candidate sorted by weight bytes, largest first; `best` is the largest that fits
 *   (highest fidelity), `smallest` the fewest bytes that fits; both undefined when none fits
 * @throws InvalidInputError when no candidate is given
 */
export function solveFormats(
  o: ServingOptions,
  formats: readonly WeightFormat[],
): { candidates: FormatFit[]; best?: FormatFit; smallest?: FormatFit } {
  if (formats.length === 0)
    throw new InvalidInputError([
      { path: 'formats', message: 'give at least one candidate format (e.g. Q8_0, Q4_K_M)', received: [] },
    ]);
  const { context, batch } = resolvedWorkload(o);
  const p = prepared(o.model);
  const candidates = formats.map((format) => {
    const run = runEngine({ ...o, model: p, format }, context, batch);
    const peakGpuBytes = Math.max(...run.gpus.map((g) => g.bytes.total));
    const headroomBytes = Math.min(...run.gpus.map((g) => g.capacityBytes - g.bytes.total));
    return {
      format,
      weightBytes: p.weightsIn(format).total,
      fits: run.fits,
      peakGpuBytes,
      headroomBytes,
      binding: run.binding,
    };
  });
  candidates.sort((a, b) => b.weightBytes - a.weightBytes);
  const fitting = candidates.filter((c) => c.fits);
  return { candidates, best: fitting[0], smallest: fitting[fitting.length - 1] };
}

/**
 * llama.cpp: the most layers (`-ngl`) that fit on the GPUs, the rest staying in CPU RAM.
 * @param o a llama.cpp serving question
 * @returns `value` = n_gpu_layers (0…n_layer + 1) and the run there
 * @throws InvalidInputError when the engine does not split layers (its profile's `splitsLayers`)
 */
export function solveGpuLayers(o: ServingOptions): SolveResult {
  if (!engineProfile(o.engine).splitsLayers) {
    const profiles = Object.values(ENGINE_PROFILES);
    const names = (split: boolean) => profiles.filter((p) => p.splitsLayers === split).map((p) => p.name);
    throw new InvalidInputError([
      {
        path: 'engine',
        message: `the layer split (n_gpu_layers) applies to ${names(true).join(' and ')}; ${names(false).join(' and ')} keep every layer on the GPU`,
        received: o.engine,
      },
    ]);
  }
  const { context, batch } = resolvedWorkload(o);
  const total = prepared(o.model).arch.layers.length + 1;
  const at = (ngl: number) => runEngine({ ...o, llamaCpp: { ...o.llamaCpp, nGpuLayers: ngl } }, context, batch);
  const value = bisectMax(0, total, (n) => at(n).fits);
  if (value === total) return { value, binding: 'none', run: at(value) };
  return { value: Math.max(0, value), binding: at(value + 1).binding, run: at(Math.max(0, value)) };
}
