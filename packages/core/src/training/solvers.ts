import { VramkitError } from '../errors/vramkit-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { isPreparedModel, prepareModel } from '../model/prepare-model.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { estimateTraining, type TrainingEstimate, type TrainingOptions } from './estimate-training.js';
import { refuseLoraOptionsWithoutAdapters } from './workload.js';

/** Which total a solver compares with the GPU: the expected total, or the high end of the band. */
export type FitMargin = 'expected' | 'high';

/** The answer of a solver: the value found, the estimate at that value, and what stops it going further. */
export interface SolverResult {
  /** Largest (or smallest) value that fits, or 0 when nothing does. */
  value: number;
  /** Estimate at `value` (absent when nothing fits). */
  estimate?: TrainingEstimate;
  /** The largest part of the estimate one step past `value`: what fills the GPU. */
  bindingConstraint: string;
}

function totalOf(e: TrainingEstimate, margin: FitMargin): number {
  return margin === 'high' ? e.overheadBand.high : e.total;
}

function largestPart(e: TrainingEstimate): string {
  let best = '';
  let bytes = -1;
  for (const [k, p] of Object.entries(e.parts)) {
    if (p.bytes > bytes) {
      bytes = p.bytes;
      best = k;
    }
  }
  return best;
}

function checkCapacity(gpuMemoryBytes: number): void {
  if (!Number.isFinite(gpuMemoryBytes) || gpuMemoryBytes <= 0 || !Number.isInteger(gpuMemoryBytes)) {
    throw new InvalidInputError([
      {
        path: 'gpuMemoryBytes',
        message: 'GPU memory must be a positive whole number of bytes (e.g. 80 * 2**30)',
        received: gpuMemoryBytes,
      },
    ]);
  }
}

/**
 * Largest integer in [1, max] for which `fits` holds, by binary search; memory grows monotonically
 * with sequence length, micro-batch and (inversely) GPU count, so one search suffices.
 */
function largestFitting(max: number, fits: (n: number) => boolean): number {
  if (!fits(1)) return 0;
  let lo = 1;
  let hi = max;
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function solve(
  options: TrainingOptions,
  gpuMemoryBytes: number,
  margin: FitMargin,
  key: 'microBatch' | 'seq',
  max: number,
): SolverResult {
  checkCapacity(gpuMemoryBytes);
  const model = isPreparedModel(options.model) ? options.model : prepareModel(options.model);
  const at = (n: number) => estimateTraining({ ...options, model, [key]: n });
  const value = largestFitting(max, (n) => totalOf(at(n), margin) <= gpuMemoryBytes);
  const next = at(Math.min(value + 1, max));
  if (value === 0) return { value, bindingConstraint: `${largestPart(at(1))} (nothing fits at ${key} = 1)` };
  return {
    value,
    estimate: at(value),
    bindingConstraint: value === max ? `${key} search limit ${max}` : largestPart(next),
  };
}

/**
 * Largest micro-batch that fits a GPU of `gpuMemoryBytes`, everything else as in `options`.
 * @param options a training configuration (its `microBatch` is ignored)
 * @param gpuMemoryBytes usable memory of one GPU, bytes
 * @param margin compare the expected total (default) or the high end of the overhead band
 * @returns the micro-batch, its estimate and the part that grows into the limit
 * @throws InvalidInputError for a non-positive capacity or a bad option
 */
export function maxMicroBatch(
  options: TrainingOptions,
  gpuMemoryBytes: number,
  margin: FitMargin = 'expected',
  max = 4096,
): SolverResult {
  return solve(options, gpuMemoryBytes, margin, 'microBatch', max);
}

/**
 * Longest sequence (tokens) that fits a GPU of `gpuMemoryBytes`.
 * @param options a training configuration (its `seq` is ignored)
 * @param gpuMemoryBytes usable memory of one GPU, bytes
 * @throws InvalidInputError for a non-positive capacity or a bad option
 */
export function maxSequenceLength(
  options: TrainingOptions,
  gpuMemoryBytes: number,
  margin: FitMargin = 'expected',
  max = 1 << 21,
): SolverResult {
  return solve(options, gpuMemoryBytes, margin, 'seq', max);
}

/**
 * Smallest GPU count that fits, for the parallelism in `options.parallel` (ZeRO stage, FSDP, tp, pp):
 * searches multiples of tp × pp × cp up to `maxGpus`.
 * @returns `value` = GPUs (0 when even `maxGpus` does not fit)
 */
export function minGpus(
  options: TrainingOptions,
  gpuMemoryBytes: number,
  margin: FitMargin = 'expected',
  maxGpus = 1024,
): SolverResult {
  checkCapacity(gpuMemoryBytes);
  const model = isPreparedModel(options.model) ? options.model : prepareModel(options.model);
  const p = options.parallel ?? {};
  const unit = (p.tp ?? 1) * (p.pp ?? 1) * (p.cp ?? 1);
  const at = (k: number) => estimateTraining({ ...options, model, parallel: { ...p, gpus: k * unit } });
  const fits = (k: number) => totalOf(at(k), margin) <= gpuMemoryBytes;
  const maxK = Math.floor(maxGpus / unit);
  if (maxK < 1 || !fits(maxK))
    return {
      value: 0,
      bindingConstraint: `${maxK < 1 ? 'model parallelism exceeds maxGpus' : largestPart(at(maxK))} (does not fit on ${maxK * unit} GPUs)`,
    };
  let lo = 1;
  let hi = maxK;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) hi = mid;
    else lo = mid + 1;
  }
  const before = lo > 1 ? at(lo - 1) : undefined;
  return {
    value: lo * unit,
    estimate: at(lo),
    bindingConstraint: before ? largestPart(before) : 'fits on the smallest count',
  };
}

/** One setup of {@link planTraining}. */
export interface PlannedSetup {
  label: string;
  gpus: number;
  options: TrainingOptions;
  estimate: TrainingEstimate;
  /** Fraction of the GPU used by the expected total. */
  utilization: number;
}

/** Options of {@link planTraining}. */
export interface PlanOptions {
  /** Methods to consider; default full, lora, qlora. */
  methods?: readonly ('full' | 'lora' | 'qlora' | 'dora')[];
  /** Largest GPU count to consider; default 64. */
  maxGpus?: number;
  margin?: FitMargin;
  /** Frozen-base format of the QLoRA setups (e.g. `@vramkit/quant`'s NF4); without it qlora is not planned by default. */
  qloraFormat?: WeightFormat;
}

/**
 * A ranked plan of setups that fit: for each method, the fewest GPUs under each strategy (single
 * GPU, ZeRO-2, ZeRO-3 / FSDP, ZeRO-3 + optimizer offload, then with full checkpointing), smallest
 * GPU count first, then the lower per-GPU total.
 * @param base the workload (model, seq, micro-batch, precision, optimizer, LoRA settings)
 * @param gpuMemoryBytes memory of one GPU
 * @throws VramkitError DOES_NOT_FIT when no setup fits within `maxGpus`
 */
export function planTraining(base: TrainingOptions, gpuMemoryBytes: number, options: PlanOptions = {}): PlannedSetup[] {
  checkCapacity(gpuMemoryBytes);
  const model = isPreparedModel(base.model) ? base.model : prepareModel(base.model);
  const methods = options.methods ?? (options.qloraFormat ? ['full', 'lora', 'qlora'] : ['full', 'lora']);
  // LoRA options with only full fine-tuning planned apply to no setup: refused as estimateTraining refuses them.
  if (methods.every((m) => m === 'full')) refuseLoraOptionsWithoutAdapters(base, 'full');
  const maxGpus = options.maxGpus ?? 64;
  const margin = options.margin ?? 'expected';
  const strategies: { label: string; parallel: NonNullable<TrainingOptions['parallel']>; checkpointing?: 'full' }[] = [
    { label: 'single GPU', parallel: {} },
    { label: 'single GPU + checkpointing', parallel: {}, checkpointing: 'full' },
    { label: 'ZeRO-2', parallel: { zero: 2 } },
    { label: 'ZeRO-3', parallel: { zero: 3 } },
    { label: 'ZeRO-3 + checkpointing', parallel: { zero: 3 }, checkpointing: 'full' },
    {
      label: 'ZeRO-3 + optimizer offload + checkpointing',
      parallel: { zero: 3, offload: 'optimizer' },
      checkpointing: 'full',
    },
  ];
  const out: PlannedSetup[] = [];
  for (const method of methods) {
    for (const s of strategies) {
      const fmt = method === 'qlora' ? (base.baseFormat ?? options.qloraFormat) : base.baseFormat;
      // Full fine-tuning trains no adapters: the base's `lora` options apply to the LoRA methods only.
      const { baseFormat: _ignored, lora, ...rest } = base;
      const opts: TrainingOptions = {
        ...rest,
        ...(lora && method !== 'full' ? { lora } : {}),
        ...(fmt ? { baseFormat: fmt } : {}),
        model,
        method,
        parallel: { ...base.parallel, ...s.parallel },
        ...(s.checkpointing ? { checkpointing: s.checkpointing } : {}),
      };
      const single = s.label.startsWith('single GPU');
      const r = minGpus(opts, gpuMemoryBytes, margin, single ? 1 : maxGpus);
      if (r.value === 0 || !r.estimate) continue;
      // Sharding over one GPU is the single-GPU setup again; keep it only when it offloads.
      if (!single && r.value === 1 && s.parallel.offload === undefined) continue;
      out.push({
        label: `${method} · ${s.label}`,
        gpus: r.value,
        options: { ...opts, parallel: { ...opts.parallel, gpus: r.value } },
        estimate: r.estimate,
        utilization: r.estimate.total / gpuMemoryBytes,
      });
    }
  }
  if (out.length === 0) {
    throw new VramkitError(
      'DOES_NOT_FIT',
      `No setup of ${methods.join('/')} fits ${maxGpus} GPUs of ${(gpuMemoryBytes / 2 ** 30).toFixed(1)} GiB; try a shorter seq, a smaller micro-batch or more GPUs (maxGpus)`,
      { path: 'gpuMemoryBytes' },
    );
  }
  out.sort((a, b) => a.gpus - b.gpus || a.estimate.total - b.estimate.total);
  return out;
}
