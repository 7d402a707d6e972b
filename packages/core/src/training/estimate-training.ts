import * as v from 'valibot';
import type { Architecture } from '../model/architecture.js';
import { type Breakdown, type BreakdownPart, part } from '../memory/breakdown.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { isPreparedModel, type PreparedModel, prepareModel } from '../model/prepare-model.js';
import { DEFAULT_OVERHEAD, overheadBytes } from '../memory/overhead.js';
import { type Tensor, tensorElements } from '../model/tensor.js';
import { integerAtLeast, numberBetween, parseOrThrow, requireExactTotal } from '../validate.js';
import { plainFormats, type WeightFormat } from '../formats/weight-format.js';
import { type TrainableSet, trainingActivationBytes } from './activations.js';
import { type AdapterPlan, peftPrintedCounts, resolveAdapters } from './lora.js';
import {
  OPTIMIZER_IDS,
  OPTIMIZER_STEP,
  type OptimizerStateBytes,
  optimizerStateBytes,
  type TrainableTensor,
} from './optimizers.js';
import { communicationBuffers } from './communication.js';
import { dataParallelSize, type ParallelismOptions, shardingOf } from './parallelism.js';
import { PRECISION_IDS, PRECISIONS } from './precision.js';

const FP32_ADAPTER_STATES = { weightBytes: 4, masterBytes: 0, gradBytes: 4, stateBytes: 4 } as const;

/** Activation-checkpointing policies by framework (see TrainingWorkloadSchema.checkpointing). */
export const CHECKPOINTING_IDS = [
  'none',
  'full',
  'hf',
  'unsloth',
  'megatron-selective',
  'selective',
  'torchtitan-op',
] as const;
/** A checkpointing policy id. */
export type CheckpointingId = (typeof CHECKPOINTING_IDS)[number];

/** Sequence length assumed when none is given (tokens). */
export const DEFAULT_TRAINING_SEQ = 2048;

const ParallelSchema = v.object({
  gpus: v.optional(integerAtLeast(1, 'parallel.gpus'), 1),
  tp: v.optional(integerAtLeast(1, 'parallel.tp'), 1),
  pp: v.optional(integerAtLeast(1, 'parallel.pp'), 1),
  cp: v.optional(integerAtLeast(1, 'parallel.cp'), 1),
  ep: v.optional(integerAtLeast(1, 'parallel.ep'), 1),
  zero: v.optional(v.picklist([0, 1, 2, 3], 'zero must be 0, 1, 2 or 3'), 0),
  fsdp: v.optional(
    v.picklist(['none', 'full', 'grad-op', 'hybrid'], 'fsdp must be none, full, grad-op or hybrid'),
    'none',
  ),
  fsdpShardSize: v.optional(integerAtLeast(1, 'parallel.fsdpShardSize')),
  sequenceParallel: v.optional(v.boolean(), false),
  offload: v.optional(
    v.picklist(['none', 'optimizer', 'optimizer+params'], 'offload must be none, optimizer or optimizer+params'),
    'none',
  ),
  offloadDevice: v.optional(v.picklist(['cpu', 'nvme'], 'offloadDevice must be cpu or nvme'), 'cpu'),
  gpusPerNode: v.optional(integerAtLeast(1, 'parallel.gpusPerNode')),
});

/** valibot schema of a training workload (everything but the model and formats). */
export const TrainingWorkloadSchema = v.object({
  method: v.optional(v.picklist(['full', 'lora', 'qlora', 'dora'], 'method must be full, lora, qlora or dora'), 'full'),
  lora: v.optional(
    v.object({
      rank: v.optional(integerAtLeast(1, 'lora.rank'), 16),
      alpha: v.optional(numberBetween(0, 1e9, 'lora.alpha')),
      targets: v.optional(
        v.union(
          [
            v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1, 'give at least one target module')),
            v.literal('all-linear'),
            v.literal('default'),
          ],
          'targets must be module names, "all-linear" or "default"',
        ),
        'all-linear',
      ),
      modulesToSave: v.optional(v.array(v.string())),
      dropout: v.optional(numberBetween(0, 1, 'lora.dropout'), 0),
      expertModules: v.optional(v.picklist(['per-expert-linear', 'parameter'])),
      /** transformers' expert layout: `fused` (≥ 5, default) or `split` (< 5); see LoraOptions.expertLayout. */
      expertLayout: v.optional(v.picklist(['fused', 'split'], 'expertLayout must be fused or split')),
      /**
       * dtype of the adapter weights: `compute` (torchtune: the model dtype, default) or `fp32` (peft's
       * get_peft_model(autocast_adapter_dtype=True) on a bf16/fp16 base: fp32 adapters, states and a cast
       * fp32 input copy saved per adapted module).
       */
      adapterDtype: v.optional(v.picklist(['compute', 'fp32'], 'adapterDtype must be compute or fp32'), 'compute'),
    }),
    {},
  ),
  precision: v.optional(
    v.picklist(PRECISION_IDS, `precision must be one of ${PRECISION_IDS.join(', ')}`),
    'bf16-mixed',
  ),
  optimizer: v.optional(v.picklist(OPTIMIZER_IDS, `optimizer must be one of ${OPTIMIZER_IDS.join(', ')}`), 'adamw'),
  seq: v.optional(integerAtLeast(1, 'seq (tokens)'), DEFAULT_TRAINING_SEQ),
  microBatch: v.optional(integerAtLeast(1, 'microBatch (sequences)'), 1),
  gradAccum: v.optional(integerAtLeast(1, 'gradAccum (steps)'), 1),
  /**
   * Activation checkpointing, named by framework: `none`; `full` (every block's input kept, the block
   * recomputed: torchtitan/Megatron full); `hf` (transformers gradient_checkpointing: torch.utils.checkpoint
   * around each decoder layer, the same tensors as full); `unsloth` (use_gradient_checkpointing="unsloth":
   * the checkpointed inputs are offloaded to CPU); `megatron-selective` (alias `selective`: recompute the
   * attention core only, Korthikanti et al. §5); `torchtitan-op` (selective op-level AC).
   * `checkpointEvery` k checkpoints every k-th layer under full/hf.
   */
  checkpointing: v.optional(
    v.picklist(CHECKPOINTING_IDS, `checkpointing must be one of ${CHECKPOINTING_IDS.join(', ')}`),
    'none',
  ),
  checkpointEvery: v.optional(integerAtLeast(1, 'checkpointEvery (layers)')),
  attention: v.optional(v.picklist(['flash', 'naive'], 'attention must be flash or naive'), 'flash'),
  kernels: v.optional(v.picklist(['eager', 'fused'], 'kernels must be eager or fused'), 'eager'),
  loss: v.optional(v.picklist(['hf', 'chunked', 'fused'], 'loss must be hf, chunked or fused'), 'hf'),
  /** Dropout in training (GPT/Megatron pre-training style): masks and dropped attention probabilities. */
  dropout: v.optional(v.boolean(), false),
  /** Naive attention softmax output dtype: fp32 (HF eager) or the compute dtype (Megatron fused softmax). */
  softmax: v.optional(v.picklist(['fp32', 'compute'], 'softmax must be fp32 or compute'), 'fp32'),
  /** MoE capacity factor (expert buffers padded to factor × tokens × topK / experts); absent = dropless. */
  moeCapacityFactor: v.optional(numberBetween(1, 64, 'moeCapacityFactor')),
  /**
   * `set-to-none`: gradients are freed between steps (zero_grad(set_to_none=True)); `persistent`: grad
   * buffers that outlive the step (DeepSpeed ZeRO partitions, FSDP sharded grads, Megatron's contiguous
   * buffer). `auto`: persistent under ZeRO ≥ 1, FSDP, Megatron and FP8 presets, else set-to-none.
   */
  gradients: v.optional(v.picklist(['auto', 'set-to-none', 'persistent']), 'auto'),
  /** Optimizer step fused into backward (torchtune optimizer_in_bwd): each gradient is freed right after its update. */
  optimizerInBackward: v.optional(v.boolean(), false),
  /** `fused` (torch AdamW fused=True, bitsandbytes kernels): no step temporaries; `foreach` (torch default): one state-sized temporary list during step(). */
  optimizerImpl: v.optional(v.picklist(['fused', 'foreach'], 'optimizerImpl must be fused or foreach'), 'fused'),
  /** Paged optimizers: `resident` (enough GPU memory, states stay) or `evicted` (the driver paged them to CPU; counted in host memory). */
  pagedOptimizer: v.optional(
    v.picklist(['resident', 'evicted'], 'pagedOptimizer must be resident or evicted'),
    'resident',
  ),
  /** Offload checkpointed activations to CPU (torchtune enable_activation_offloading). Needs checkpointing: full. */
  activationOffload: v.optional(v.boolean(), false),
  /** QLoRA with peft's prepare_model_for_kbit_training: non-quantized weights and hidden states in fp32. */
  kbitUpcast: v.optional(v.boolean(), false),
  parallel: v.optional(ParallelSchema, {}),
  overhead: v.optional(
    v.object({
      contextBytes: v.optional(integerAtLeast(0, 'overhead.contextBytes')),
      allocatorFraction: v.optional(numberBetween(0, 1, 'overhead.allocatorFraction')),
    }),
    {},
  ),
});

/** A training workload; every field has a stated default. */
export type TrainingWorkload = v.InferInput<typeof TrainingWorkloadSchema>;
/** The workload after defaults, echoed in the result. */
export type ResolvedTrainingWorkload = v.InferOutput<typeof TrainingWorkloadSchema>;

/** Options of {@link estimateTraining}. */
export interface TrainingOptions extends TrainingWorkload {
  model: Architecture | PreparedModel;
  /**
   * Storage of the frozen base for LoRA/QLoRA/DoRA. Default: the precision's compute dtype for LoRA;
   * required for QLoRA (e.g. `@vramkit/quant`'s `bnb4bitFormat({ doubleQuant: true })`).
   */
  baseFormat?: WeightFormat;
}

/** A low / expected / high band of the per-GPU total (reserved memory + CUDA context). */
export interface OverheadBand {
  low: number;
  expected: number;
  high: number;
}

/** Result of {@link estimateTraining}: the per-GPU peak as a breakdown, plus host memory and counts. */
export interface TrainingEstimate extends Breakdown {
  parts: {
    weights: BreakdownPart;
    adapters: BreakdownPart;
    gradients: BreakdownPart;
    optimizer: BreakdownPart;
    activations: BreakdownPart;
    logits: BreakdownPart;
    communication: BreakdownPart;
    overhead: BreakdownPart;
  };
  /** Peak of allocated tensors (total without the overhead): what torch.cuda.max_memory_allocated reports. */
  peakAllocated: number;
  /** Which phase sets the peak: the activation peak at the start of backward, or the optimizer step. */
  peakPhase: 'forward-backward' | 'optimizer-step';
  /** Allocated bytes at each of the two candidate peaks (the larger one is `peakAllocated`). */
  phases: { forwardBackward: number; optimizerStep: number };
  /** Per-GPU totals in a band: `expected` equals `total`. */
  overheadBand: OverheadBand;
  /** CPU RAM per GPU rank (offloaded states); `perNode` multiplies by the GPUs sharing a host. */
  hostBytes: Breakdown & { perNode: number };
  /** Bytes on NVMe (ZeRO-Infinity) per rank. */
  nvmeBytes: number;
  /** Optimizer bytes in paged (unified) memory that the driver may move to CPU under pressure. */
  pageableBytes: number;
  parameters: { total: number; trainable: number; all: number };
  adapters?: AdapterPlan;
  workload: ResolvedTrainingWorkload;
  sharding: { stage: number; degree: number; scheme: string; dataParallel: number };
  /** Sequences per optimizer step: micro-batch × gradient accumulation × data-parallel ranks (accumulation adds no memory). */
  effectiveBatch: number;
  assumptions: string[];
}

function modelParallelShare(
  arch: Architecture,
  tensors: readonly Tensor[],
  p: { tp: number; pp: number; ep: number },
): number {
  // Megatron splits layer matrices and the vocabulary by tp, experts by ep; pipeline stages hold
  // ⌈L/pp⌉ layers, the first the embedding and the last the head: take the larger stage.
  const L = arch.layers.length;
  const perStage = Math.ceil(L / p.pp);
  let layer = 0;
  let embed = 0;
  let head = 0;
  let total = 0;
  for (const t of tensors) {
    if (t.mtp) continue;
    const n = tensorElements(t);
    total += n;
    let share = n;
    if (t.shape.length === 3) share = n / (p.ep * p.tp);
    else if (t.shape.length === 2) share = n / p.tp;
    if (t.layer !== undefined) layer += share;
    else if (t.role === 'token_embd' || t.role === 'position_embd') embed += share;
    else head += share;
  }
  const layers = (layer / L) * perStage;
  const rank =
    p.pp === 1 ? layers + embed + head : Math.max(layers + embed, layers + (arch.tiedEmbeddings ? embed : head));
  return rank / total;
}

function fullTrainables(tensors: readonly Tensor[]): TrainableTensor[] {
  return tensors
    .filter((t) => !t.mtp)
    .map((t) => ({
      name: t.name,
      shape: t.shape,
      count: 1,
      hiddenMatrix: t.layer !== undefined && t.shape.length >= 2,
    }));
}

/** Per-model work that does not depend on the workload, computed once per prepared model (solvers call estimateTraining many times). */
interface ModelMemo {
  full?: TrainableTensor[];
  largestLinear?: number;
  shares: Map<string, number>;
  plans: Map<string, AdapterPlan>;
}
const memos = new WeakMap<PreparedModel, ModelMemo>();
const optimizerMemo = new WeakMap<readonly TrainableTensor[], Map<string, OptimizerStateBytes>>();
function memoOf(model: PreparedModel): ModelMemo {
  let m = memos.get(model);
  if (!m) {
    m = { shares: new Map(), plans: new Map() };
    memos.set(model, m);
  }
  return m;
}

function validateParallel(arch: Architecture, p: ResolvedTrainingWorkload['parallel']): void {
  const issues = [];
  const mp = p.tp * p.pp * p.cp;
  if (p.gpus % mp !== 0)
    issues.push({
      path: 'parallel.gpus',
      message: `gpus (${p.gpus}) must be a multiple of tp × pp × cp = ${mp}`,
      received: p.gpus,
    });
  if (p.pp > arch.layers.length)
    issues.push({
      path: 'parallel.pp',
      message: `pp (${p.pp}) cannot exceed the ${arch.layers.length} layers`,
      received: p.pp,
    });
  if (p.zero > 0 && p.fsdp !== 'none')
    issues.push({
      path: 'parallel.fsdp',
      message: 'use either ZeRO (zero) or FSDP (fsdp), not both',
      received: p.fsdp,
    });
  if (p.offload === 'optimizer+params' && p.zero !== 3 && p.fsdp !== 'full' && p.fsdp !== 'hybrid') {
    issues.push({
      path: 'parallel.offload',
      message: 'parameter offload needs ZeRO-3 or FSDP full/hybrid sharding (set zero: 3)',
      received: p.offload,
    });
  }
  const dp = p.gpus / mp;
  if (p.ep > 1 && Number.isInteger(dp) && dp % p.ep !== 0) {
    issues.push({
      path: 'parallel.ep',
      message: `ep (${p.ep}) must divide the data-parallel size ${dp} (experts are spread over data-parallel ranks)`,
      received: p.ep,
    });
  }
  if (p.offload !== 'none' && p.zero === 0 && p.fsdp === 'none') {
    issues.push({
      path: 'parallel.offload',
      message: 'optimizer offload needs ZeRO (zero ≥ 1) or FSDP',
      received: p.offload,
    });
  }
  // Megatron/torchtitan split heads, KV groups and the FFN over TP ranks, and experts over EP ranks:
  // a degree that does not divide them is refused at startup (megatron/training/arguments.py).
  const attn = arch.layers.map((l) => l.attention).find((a) => 'numHeads' in a) as
    | { numHeads: number; numKvHeads?: number }
    | undefined;
  if (p.tp > 1 && attn && attn.numHeads % p.tp !== 0) {
    issues.push({
      path: 'parallel.tp',
      message: `tp (${p.tp}) must divide the ${attn.numHeads} attention heads`,
      received: p.tp,
    });
  }
  const moe = arch.layers.map((l) => l.mlp).find((m) => m.kind === 'moe') as { numExperts: number } | undefined;
  if (p.ep > 1 && !moe)
    issues.push({
      path: 'parallel.ep',
      message: 'expert parallelism needs an MoE model; this one has no experts',
      received: p.ep,
    });
  if (p.ep > 1 && moe && moe.numExperts % p.ep !== 0) {
    issues.push({
      path: 'parallel.ep',
      message: `ep (${p.ep}) must divide the ${moe.numExperts} experts`,
      received: p.ep,
    });
  }
  if (issues.length) throw new InvalidInputError(issues);
}

/**
 * Per-GPU memory of a training or fine-tuning step, as a breakdown: weights (with fp32 master),
 * LoRA adapters, gradients, optimizer states, activations, logits/loss, communication buffers and
 * overhead; plus CPU RAM for offloaded states and exact parameter counts (as peft prints them).
 * @param options model, method, precision, optimizer, workload and parallelism (defaults in {@link TrainingWorkloadSchema})
 * @returns the peak per GPU; `overheadBand` gives low/expected/high totals
 * @throws InvalidInputError naming the field when an option is out of range, inconsistent, or a LoRA target matches nothing
 */
export function estimateTraining(options: TrainingOptions): TrainingEstimate {
  const { model, baseFormat, ...input } = options;
  const w = parseOrThrow(TrainingWorkloadSchema, input, 'training');
  const prepared = isPreparedModel(model) ? model : prepareModel(model);
  const arch = prepared.arch;
  const p = w.parallel;
  validateParallel(arch, p);
  const ckpt =
    w.checkpointing === 'hf' || w.checkpointing === 'unsloth'
      ? 'full'
      : w.checkpointing === 'megatron-selective' || w.checkpointing === 'selective'
        ? 'selective'
        : w.checkpointing === 'torchtitan-op'
          ? 'op-level'
          : w.checkpointing;
  // unsloth's offloaded checkpointer (unsloth_zoo gradient_checkpointing.py) moves the saved inputs to CPU.
  const actOffload = w.activationOffload || w.checkpointing === 'unsloth';
  if (w.activationOffload && ckpt !== 'full') {
    throw new InvalidInputError([
      {
        path: 'training.activationOffload',
        message: 'activation offloading moves checkpointed block inputs: set checkpointing to "full"',
        received: true,
      },
    ]);
  }
  const assumptions: string[] = [];
  if (input.seq === undefined) assumptions.push(`seq defaulted to ${DEFAULT_TRAINING_SEQ} tokens`);
  if (p.ep > 1)
    assumptions.push(
      `expert parallel ${p.ep}: expert weights split over ${p.ep} ranks; their ZeRO/FSDP shards are counted over the full data-parallel group (a lower bound for expert optimizer states)`,
    );
  if (input.precision === undefined)
    assumptions.push('precision bf16-mixed (bf16 weights and grads, fp32 master and Adam states)');
  const prec = PRECISIONS[w.precision];
  const par: ParallelismOptions = { ...p, gpusPerNode: p.gpusPerNode ?? Math.min(p.gpus, 8) };
  const dp = dataParallelSize(par);
  const shard = shardingOf(par);
  const d = shard.degree;
  const memo = memoOf(prepared);
  const shareKey = `${p.tp}/${p.pp}/${p.ep}`;
  let share = memo.shares.get(shareKey);
  if (share === undefined) {
    share = modelParallelShare(arch, prepared.tensors, p);
    memo.shares.set(shareKey, share);
  }

  // Trainable tensors and frozen base.
  const peft = w.method !== 'full';
  let plan: AdapterPlan | undefined;
  let trainables: TrainableTensor[];
  let frozenBytes = 0;
  let frozenType = '';
  if (peft) {
    const loraOptions = {
      rank: w.lora.rank,
      targets: w.lora.targets,
      ...(w.lora.modulesToSave ? { modulesToSave: w.lora.modulesToSave } : {}),
      dora: w.method === 'dora',
      ...(w.lora.expertModules ? { expertModules: w.lora.expertModules } : {}),
      ...(w.lora.expertLayout ? { expertLayout: w.lora.expertLayout } : {}),
    };
    const planKey = JSON.stringify(loraOptions);
    plan = memo.plans.get(planKey) ?? resolveAdapters(prepared, loraOptions);
    memo.plans.set(planKey, plan);
    if (plan.unmatchedTargets.length)
      assumptions.push(`targets ${plan.unmatchedTargets.join(', ')} match no module and adapt nothing`);
    trainables = plan.tensors;
    if (w.method === 'qlora' && !baseFormat) {
      // One implementation of bitsandbytes 4-bit lives in @vramkit/quant; core takes it from the caller.
      throw new InvalidInputError([
        {
          path: 'baseFormat',
          message:
            "QLoRA needs the frozen base's weight format: pass baseFormat, e.g. @vramkit/quant's bnb4bitFormat({ doubleQuant: true })",
          received: undefined,
        },
      ]);
    }
    const fmt = baseFormat ?? (prec.computeBytes === 4 ? plainFormats.f32 : plainFormats.bf16);
    frozenBytes = prepared.weightsIn(fmt).total;
    if (w.method === 'qlora' && w.kbitUpcast) {
      // peft prepare_model_for_kbit_training casts every parameter the format left 16-bit to fp32.
      const ctx = { arch, numLayers: arch.layers.length };
      for (const t of prepared.tensors) {
        const b = fmt.bytesForTensor(t, ctx);
        if (b.type === 'bf16' || b.type === 'f16') frozenBytes += 2 * tensorElements(t);
      }
    }
    frozenType = fmt.id;
  } else {
    memo.full ??= fullTrainables(prepared.tensors);
    trainables = memo.full;
  }
  // peft keeps adapters in fp32 on a 16-bit base (get_peft_model autocast_adapter_dtype=True): fp32
  // weights (their own master), grads and optimizer states. torchtune's adapters follow the model dtype.
  const st = peft && w.lora.adapterDtype === 'fp32' ? FP32_ADAPTER_STATES : prec;
  const trainableElems = trainables.reduce((s, t) => s + t.count * tensorElements(t), 0);
  const printed = plan
    ? peftPrintedCounts(prepared, plan)
    : { trainable: prepared.parameters.total, all: prepared.parameters.total };

  // Sharded model states per GPU.
  const wDiv = shard.stage >= 3 ? d : 1;
  const gDiv = shard.stage >= 2 ? d : 1;
  const oDiv = shard.stage >= 1 ? d : 1;
  const T = trainableElems * share;
  const offOpt = p.offload !== 'none';
  const offParams = p.offload === 'optimizer+params';
  const trainW = (T * st.weightBytes) / wDiv;
  const master = (T * st.masterBytes) / oDiv;
  const frozen = (frozenBytes * share) / wDiv;
  // Compute copies (autocast cache, fp8 weight + transpose) exist per weight that is materialized: with
  // sharded weights (FSDP / ZeRO-3) only the gathered units are cast — torchao float8 under FSDP2 casts at
  // all-gather (torchao/float8/fsdp_utils.py WeightWithDynamicFloat8CastTensor), Transformer Engine per
  // gathered module — so the copy is the current and prefetched layer, not the whole model.
  const largestLayerParams = Math.max(...prepared.parameters.perLayer, 0) / p.tp;
  const copies = peft ? 0 : wDiv > 1 ? 2 * largestLayerParams * prec.computeCopyBytes : T * prec.computeCopyBytes;
  const optKey = `${w.optimizer}/${st.stateBytes}`;
  let optCache = optimizerMemo.get(trainables);
  if (!optCache) {
    optCache = new Map();
    optimizerMemo.set(trainables, optCache);
  }
  const opt = optCache.get(optKey) ?? optimizerStateBytes(trainables, w.optimizer, st.stateBytes);
  optCache.set(optKey, opt);
  const optBytes = (opt.bytes * share) / oDiv;
  const gradBytesFull = (T * st.gradBytes) / gDiv;

  const host: Record<string, BreakdownPart> = {};
  let nvme = 0;
  const toHost = (key: string, bytes: number, note: string) => {
    if (p.offloadDevice === 'nvme') {
      nvme += Math.ceil(bytes);
      host[key] = part(0, `${note} → NVMe (${Math.ceil(bytes).toLocaleString('en-US')} B)`);
    } else
      host[key] = part(bytes, note, {
        source: 'ZeRO-Offload (Ren et al. 2021) / ZeRO-Infinity (Rajbhandari et al. 2021)',
      });
  };
  let gpuMaster = master;
  let gpuOpt = optBytes;
  const pagedShare = (opt.pagedBytes * share) / oDiv;
  if (w.pagedOptimizer === 'evicted' && pagedShare > 0 && !offOpt) {
    host.pagedOptimizer = part(
      pagedShare,
      'paged optimizer states evicted to CPU by unified memory (bitsandbytes paged optimizer)',
      { source: 'bitsandbytes optim paged buffers (cudaMallocManaged)' },
    );
    gpuOpt -= pagedShare;
  }
  let gpuTrainW = trainW;
  let gpuFrozen = frozen;
  let gpuGrads = gradBytesFull;
  if (offOpt) {
    toHost('optimizer', optBytes, 'optimizer states of this rank');
    toHost('master', master, 'fp32 master weights of this rank');
    // DeepSpeed's CPU Adam steps on fp32 gradient partitions held in host memory.
    toHost('gradients', (T * 4) / d, 'fp32 gradient partition for the CPU optimizer step');
    gpuMaster = 0;
    gpuOpt = 0;
    gpuGrads = 0;
  }
  if (offParams) {
    toHost('parameters', trainW + frozen, '16-bit parameter partition (ZeRO-Infinity / FSDP CPUOffload)');
    gpuTrainW = 0;
    gpuFrozen = 0;
  }
  if (p.offloadDevice === 'nvme' && offOpt) {
    // deepspeed/runtime/zero/offload_config.py: buffer_count 4 (optimizer), buffer_size 1e8 elements, pinned fp32.
    host.pinnedBuffers = part(4 * 1e8 * 4, 'pinned NVMe swap buffers: buffer_count 4 × buffer_size 1e8 × 4 B', {
      source: 'deepspeed/runtime/zero/offload_config.py defaults',
    });
  }

  const gradientsPersistent =
    w.gradients === 'persistent' || (w.gradients === 'auto' && (shard.stage >= 1 || prec.persistentGradients));

  // Activations and logits.
  const trainable: TrainableSet =
    peft && plan
      ? {
          modules: new Set(plan.modules.map((m) => m.module)),
          rank: w.lora.rank,
          dora: w.method === 'dora',
          dropout: w.lora.dropout > 0,
          adapterBytes: w.lora.adapterDtype === 'fp32' ? 4 : prec.computeBytes,
        }
      : 'all';
  let transient = 0;
  if (w.method === 'qlora') {
    if (memo.largestLinear === undefined) {
      let largest = 0;
      for (const t of prepared.tensors)
        if (t.shape.length === 2 && t.role !== 'token_embd' && t.role !== 'output')
          largest = Math.max(largest, tensorElements(t));
      memo.largestLinear = largest;
    }
    transient = (memo.largestLinear * prec.computeBytes) / p.tp;
  }
  const acts = trainingActivationBytes(arch, {
    seq: w.seq,
    microBatch: w.microBatch,
    computeBytes: prec.computeBytes,
    hiddenBytes: w.method === 'qlora' && w.kbitUpcast ? 4 : prec.computeBytes,
    attention: w.attention,
    checkpointing: ckpt,
    ...(w.checkpointEvery ? { checkpointEvery: w.checkpointEvery } : {}),
    kernels: w.kernels,
    loss: w.loss,
    trainable,
    tp: p.tp,
    sequenceParallel: p.sequenceParallel,
    cp: p.cp,
    pp: p.pp,
    microBatchesPerStep: w.gradAccum,
    transientBytes: transient,
    offload: actOffload,
    ...(w.moeCapacityFactor ? { moeCapacityFactor: w.moeCapacityFactor } : {}),
    dropout: w.dropout,
    softmax: w.softmax,
  });
  if (acts.hostBytes > 0)
    host.activations = part(acts.hostBytes, 'checkpointed activations offloaded to CPU', {
      source: 'torchtune training/_activation_offloading.py',
    });

  // Communication buffers (a pure phase: communication.ts).
  const comm = communicationBuffers({
    scheme: shard.scheme,
    stage: shard.stage,
    fsdp: p.fsdp !== 'none' ? p.fsdp : w.precision === 'fsdp-bf16' ? 'full' : 'none',
    peft,
    trainableParams: T,
    rankParams: prepared.parameters.total * share,
    largestLayerParams: Math.max(...prepared.parameters.perLayer, 0) / p.tp,
    frozenBytesPerParam: frozenBytes / prepared.parameters.total,
    computeBytes: prec.computeBytes,
    gradBytes: st.gradBytes,
    pipelineActivationBytes: p.pp > 1 ? (2 * w.seq * w.microBatch * arch.hiddenSize * prec.computeBytes) / p.cp : 0,
  });
  const commBytes = Object.values(comm).reduce((s, x) => s + x.bytes, 0);

  // Optimizer-step temporaries: torch's foreach AdamW materializes one state-sized list (sqrt of exp_avg_sq).
  const step = OPTIMIZER_STEP[w.optimizer];
  const foreachTemp =
    w.optimizerImpl === 'foreach' && !offOpt && !w.optimizerInBackward && step.foreachTemporary
      ? (T * st.stateBytes) / oDiv
      : 0;

  // torchao's 8-bit step dequantizes one tensor's two states to fp32 at a time: the largest tensor sets it.
  const stepTransient =
    step.dequantizedBytesPerElement > 0 && !offOpt
      ? step.dequantizedBytesPerElement * Math.max(...trainables.map((t) => tensorElements(t))) * share
      : 0;
  const modelStatic = gpuTrainW + gpuMaster + gpuFrozen + copies + gpuOpt + commBytes;
  const grads = w.optimizerInBackward ? 0 : gpuGrads;
  const stepTemp = foreachTemp + stepTransient;
  const phaseA =
    modelStatic +
    acts.activations.bytes +
    acts.logits.bytes +
    (gradientsPersistent ? grads : 0) +
    (w.optimizerInBackward ? stepTransient : 0);
  const phaseB = modelStatic + grads + stepTemp;
  const peakPhase = phaseA >= phaseB ? 'forward-backward' : 'optimizer-step';
  const gradsAtPeak = peakPhase === 'optimizer-step' || gradientsPersistent ? grads : 0;

  // The runtime overhead model is inference's (overhead.ts): CUDA context + allocator share of dynamic memory.
  const dynamic =
    peakPhase === 'forward-backward' ? acts.activations.bytes + acts.logits.bytes + commBytes : commBytes + stepTemp;
  const overhead = overheadBytes(dynamic, {
    ...(w.overhead.contextBytes !== undefined ? { contextBytes: w.overhead.contextBytes } : {}),
    ...(w.overhead.allocatorFraction !== undefined ? { allocatorFraction: w.overhead.allocatorFraction } : {}),
  });

  const weightsPart = part(
    gpuFrozen + (peft ? 0 : gpuTrainW + gpuMaster + copies),
    peft
      ? `frozen base in ${frozenType}${wDiv > 1 ? ` / ${wDiv}` : ''}`
      : `${st.weightBytes} B weights + ${st.masterBytes} B master${prec.computeCopyBytes ? ` + ${prec.computeCopyBytes} B compute copies` : ''} per trainable param (${w.precision})`,
    {
      accuracy: 'exact',
      source: prec.source,
      parts: peft
        ? {
            base: part(
              gpuFrozen,
              `${frozenBytes.toLocaleString('en-US')} B in ${frozenType} × model-parallel share ${share.toFixed(4)}${wDiv > 1 ? ` / ${wDiv}` : ''}`,
            ),
          }
        : {
            weights: part(
              gpuTrainW,
              `${Math.round(T).toLocaleString('en-US')} params × ${st.weightBytes} B${wDiv > 1 ? ` / ${wDiv}` : ''}`,
            ),
            master: part(
              gpuMaster,
              `fp32 master: ${st.masterBytes} B per param${oDiv > 1 ? ` / ${oDiv}` : ''}${offOpt ? ' (offloaded)' : ''}`,
            ),
            ...(copies
              ? { computeCopies: part(copies, `${prec.computeCopyBytes} B per param (autocast cache / fp8 copies)`) }
              : {}),
          },
    },
  );
  const adaptersPart = part(
    peft ? gpuTrainW + gpuMaster : 0,
    peft && plan
      ? `${plan.trainable.toLocaleString('en-US')} adapter params × (${st.weightBytes} B + ${st.masterBytes} B master)`
      : 'no adapters (full fine-tuning)',
    {
      accuracy: 'exact',
      ...(plan
        ? {
            parts: {
              lora: part(
                (plan.loraParams * share * (st.weightBytes + st.masterBytes)) / wDiv,
                `A and B: Σ r × (in + out) = ${plan.loraParams.toLocaleString('en-US')} params`,
              ),
              ...(plan.magnitudeParams
                ? {
                    doraMagnitude: part(
                      (plan.magnitudeParams * share * (st.weightBytes + st.masterBytes)) / wDiv,
                      `DoRA magnitudes: ${plan.magnitudeParams.toLocaleString('en-US')}`,
                    ),
                  }
                : {}),
              ...(plan.modulesToSaveParams
                ? {
                    modulesToSave: part(
                      (plan.modulesToSaveParams * share * (st.weightBytes + st.masterBytes)) / wDiv,
                      `modules_to_save copies: ${plan.modulesToSaveParams.toLocaleString('en-US')}`,
                    ),
                  }
                : {}),
            },
          }
        : {}),
    },
  );
  const gradientsPart = part(
    gradsAtPeak,
    `${st.gradBytes} B per trainable param${gDiv > 1 ? ` / ${gDiv}` : ''} = ${Math.ceil(gpuGrads).toLocaleString('en-US')} B${gradsAtPeak === 0 && gpuGrads > 0 ? (w.optimizerInBackward ? '; optimizer in backward frees each gradient at once' : '; freed by zero_grad(set_to_none=True), not resident at the activation peak') : ''}${offOpt ? '; offloaded to host' : ''}`,
    { accuracy: 'exact' },
  );
  const stepAtPeak = peakPhase === 'optimizer-step' ? stepTemp : w.optimizerInBackward ? stepTransient : 0;
  const optimizerPart = part(gpuOpt, `${opt.note}${oDiv > 1 ? ` / ${oDiv}` : ''}${offOpt ? ' (offloaded)' : ''}`, {
    accuracy: 'exact',
    ...(opt.source ? { source: opt.source } : {}),
    parts: {
      states: part(gpuOpt, 'optimizer states on this GPU'),
      ...(stepAtPeak
        ? { stepTemporaries: part(stepAtPeak, 'temporaries of step(): foreach lists or fp32 dequantized states') }
        : {}),
    },
  });
  const optimizerTotal = gpuOpt + stepAtPeak;
  optimizerPart.bytes = Math.ceil(optimizerTotal);
  const actPart =
    peakPhase === 'forward-backward'
      ? acts.activations
      : part(
          0,
          `activations freed before the optimizer step (forward/backward peak would be ${acts.activations.bytes.toLocaleString('en-US')} B)`,
        );
  const logitsPart = peakPhase === 'forward-backward' ? acts.logits : part(0, 'logits freed before the optimizer step');
  const commPart = part(commBytes, shard.scheme, { accuracy: 'model', parts: comm });

  const parts = {
    weights: weightsPart,
    adapters: adaptersPart,
    gradients: gradientsPart,
    optimizer: optimizerPart,
    activations: actPart,
    logits: logitsPart,
    communication: commPart,
    overhead,
  };
  let total = 0;
  for (const k in parts) total += parts[k as keyof typeof parts].bytes;
  const allocated = total - overhead.bytes;
  // Band: low is what torch.cuda.max_memory_allocated plus the context shows (no allocator slack);
  // high adds one more copy of the largest transient the caching allocator may keep split and unreused
  // (the logits, or the step temporaries): PyTorch docs "CUDA memory management" on fragmentation.
  const context = w.overhead.contextBytes ?? DEFAULT_OVERHEAD.contextBytes;
  const largestTransient = Math.max(acts.logits.bytes, stepTemp, acts.perLayerBytes);
  const band: OverheadBand = { low: allocated + context, expected: total, high: total + Math.ceil(largestTransient) };
  const hostTotal = Object.values(host).reduce((s, x) => s + x.bytes, 0);
  // Bounded inputs can still multiply past 2^53 (seq × micro-batch × width × layers).
  if (!Number.isSafeInteger(band.high) || !Number.isSafeInteger(hostTotal))
    requireExactTotal(Number.NaN, 'training.seq', { seq: w.seq, microBatch: w.microBatch });
  return {
    total,
    parts,
    peakAllocated: allocated,
    peakPhase,
    phases: { forwardBackward: Math.ceil(phaseA), optimizerStep: Math.ceil(phaseB) },
    overheadBand: band,
    hostBytes: { total: hostTotal, parts: host, perNode: hostTotal * Math.min(par.gpusPerNode, p.gpus) },
    nvmeBytes: nvme,
    pageableBytes: Math.ceil((opt.pagedBytes * share) / oDiv),
    parameters: { total: prepared.parameters.total, trainable: printed.trainable, all: printed.all },
    ...(plan ? { adapters: plan } : {}),
    workload: w,
    sharding: { ...shard, dataParallel: dp },
    effectiveBatch: w.microBatch * w.gradAccum * dp,
    assumptions,
  };
}
