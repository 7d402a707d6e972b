import type { Breakdown, BreakdownPart } from '../memory/breakdown.js';
import { part } from '../memory/breakdown.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { isPreparedModel, type PreparedModel, prepareModel } from '../model/prepare-model.js';
import { parseOrThrow, requireExactTotal } from '../validate.js';
import { activationPhase } from './activation-phase.js';
import { CHECKPOINTING } from './checkpointing.js';
import { type CommunicationInput, communicationBuffers } from './communication.js';
import { type AdapterPlan, defaultExpertModules, expertLayoutOf } from './lora.js';
import { shareOf } from './model-share.js';
import { modelStates, stateDivisors, trainableSetup } from './model-states.js';
import { placeStates } from './offload.js';
import { type ParallelismOptions, dataParallelSize, shardingOf } from './parallelism.js';
import { type OverheadBand, overheadBand, peakOf, trainingOverhead } from './peak.js';
import { PRECISIONS } from './precision.js';
import { stepTemporaries } from './step-temporaries.js';
import { type TrainingParts, trainingParts } from './training-parts.js';
import { zeroBucketNote } from './zero-buckets.js';
import {
  DEFAULT_TRAINING_SEQ,
  type ResolvedTrainingWorkload,
  type TrainingOptions,
  refuseLoraOptionsWithoutAdapters,
  TrainingWorkloadSchema,
} from './workload.js';
import { validateParallel } from './parallel-checks.js';

export { CHECKPOINTING_IDS, type CheckpointingId } from './checkpointing.js';
export type { OverheadBand } from './peak.js';
export {
  DEFAULT_TRAINING_SEQ,
  type ResolvedTrainingWorkload,
  type TrainingOptions,
  type TrainingWorkload,
  TrainingWorkloadSchema,
} from './workload.js';

/** Result of {@link estimateTraining}: the per-GPU peak as a breakdown, plus host memory and counts. */
export interface TrainingEstimate extends Breakdown {
  parts: TrainingParts;
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

/**
 * Per-GPU memory of a training or fine-tuning step, as a breakdown: weights (with fp32 master),
 * LoRA adapters, gradients, optimizer states, activations, logits/loss, communication buffers and
 * overhead; plus CPU RAM for offloaded states and exact parameter counts (as peft prints them).
 * Composed of pure phases: trainable set and model states (model-states.ts), offload (offload.ts),
 * communication buffers (communication.ts), step temporaries (step-temporaries.ts), activations
 * (activation-phase.ts over activations.ts) and the peak (peak.ts); the parts in training-parts.ts.
 * @param options model, method, precision, optimizer, workload and parallelism (defaults in {@link TrainingWorkloadSchema})
 * @returns the peak per GPU; `overheadBand` gives low/expected/high totals
 * @throws InvalidInputError naming the field when an option is out of range, inconsistent, or a LoRA target matches nothing
 */
export function estimateTraining(options: TrainingOptions): TrainingEstimate {
  const { model, baseFormat, transformersVersion, ...input } = options;
  const parsed = parseOrThrow(TrainingWorkloadSchema, input, 'training');
  // Megatron-Core computes its loss with vocab_parallel_cross_entropy (models/common/language_module compute_language_model_loss).
  const w: ResolvedTrainingWorkload =
    input.loss === undefined && PRECISIONS[parsed.precision].megatronCore
      ? { ...parsed, loss: 'vocab-parallel' }
      : parsed;
  refuseLoraOptionsWithoutAdapters(input, parsed.method);
  const prepared = isPreparedModel(model) ? model : prepareModel(model);
  const p = w.parallel;
  validateParallel(prepared.arch, p);
  if (w.activationOffload && CHECKPOINTING[w.checkpointing].saves !== 'full') {
    throw new InvalidInputError([
      {
        path: 'training.activationOffload',
        message: 'activation offloading moves checkpointed block inputs: set checkpointing to "full"',
        received: true,
      },
    ]);
  }
  if (w.attentionDevice !== undefined && w.attention !== 'flash') {
    throw new InvalidInputError([
      {
        path: 'training.attentionDevice',
        message:
          '`attentionDevice` picks the SDPA backend of flash attention; eager attention (`attention` naive) runs no SDPA kernel: drop it or set `attention` to flash',
        received: w.attentionDevice,
      },
    ]);
  }
  if (w.linearAttentionKernels !== undefined && !prepared.arch.layers.some((l) => l.attention.kind === 'linear')) {
    throw new InvalidInputError([
      {
        path: 'training.linearAttentionKernels',
        message: `\`linearAttentionKernels\` chooses the kernels of linear-attention (Gated DeltaNet) layers, and ${prepared.arch.family} has none: drop it`,
        received: w.linearAttentionKernels,
      },
    ]);
  }
  const prec = PRECISIONS[w.precision];
  // Host RAM per node: 8 GPUs share a host on DGX/HGX A100/H100 nodes (NVIDIA DGX user guides), fewer if fewer are used.
  const par: ParallelismOptions = { ...p, gpusPerNode: p.gpusPerNode ?? Math.min(p.gpus, 8) };
  const dp = dataParallelSize(par);
  const shard = shardingOf(par);
  const share = shareOf(prepared, p);

  const version = transformersVersion ?? prepared.transformersVersion;
  const expertLayout = w.lora.expertLayout ?? expertLayoutOf(version);
  const setup = trainableSetup(prepared, w, baseFormat, expertLayout);
  const states = modelStates(prepared, w, setup, share, stateDivisors(shard.stage, shard.degree));
  const placement = placeStates(states, p, w.pagedOptimizer, shard.degree);
  const acts = activationPhase(prepared, w, setup);
  const commInput: Omit<CommunicationInput, 'scheme' | 'stage'> = {
    fsdp: p.fsdp !== 'none' ? p.fsdp : w.precision === 'fsdp-bf16' ? 'full' : 'none',
    peft: setup.peft,
    megatronCore: prec.megatronCore,
    trainableParams: states.trainableParams,
    rankParams: prepared.parameters.total * share,
    largestLayerParams: states.largestLayerParams,
    frozenBytesPerParam: setup.frozenBytes / prepared.parameters.total,
    computeBytes: prec.computeBytes,
    gradBytes: setup.stateBytes.gradBytes,
    pipelineActivationBytes:
      p.pp > 1 ? (2 * w.seq * w.microBatch * prepared.arch.hiddenSize * prec.computeBytes) / p.cp : 0,
  };
  const comm = communicationBuffers({ ...commInput, scheme: shard.scheme, stage: shard.stage });
  const commBytes = Object.values(comm).reduce((s, x) => s + x.bytes, 0);
  const step = stepTemporaries(w, setup, states, share, placement.optimizerOffloaded);

  // DeepSpeed's fixed buckets can make a higher ZeRO stage cost more than a lower one (small models): say so.
  const bucketNote =
    shard.scheme.startsWith('ZeRO') && p.offload === 'none'
      ? zeroBucketNote(shard.stage, (stage) => {
          const s = modelStates(prepared, w, setup, share, stateDivisors(stage, shard.degree));
          const c = communicationBuffers({ ...commInput, scheme: `ZeRO-${stage}`, stage });
          const buffers = Object.values(c).reduce((sum, x) => sum + x.bytes, 0);
          return s.trainWeights + s.master + s.frozen + s.copies + s.optimizer + s.gradients + buffers;
        })
      : undefined;
  const g = placement.gpu;
  const peak = peakOf({
    modelStatic: g.trainWeights + g.master + g.frozen + states.copies + g.optimizer + commBytes,
    gradients: w.optimizerInBackward ? 0 : g.gradients,
    gradientsPersistent:
      w.gradients === 'persistent' || (w.gradients === 'auto' && (shard.stage >= 1 || prec.persistentGradients)),
    activations: acts.activations.bytes,
    logits: acts.logits.bytes,
    communication: commBytes,
    stepTemporaries: step.total,
    inBackwardTransient: w.optimizerInBackward ? step.dequantized : 0,
  });
  const overhead = trainingOverhead(peak, {
    ...(w.overhead.contextBytes !== undefined ? { contextBytes: w.overhead.contextBytes } : {}),
    ...(w.overhead.allocatorFraction !== undefined ? { allocatorFraction: w.overhead.allocatorFraction } : {}),
  });
  const parts = trainingParts({
    w,
    setup,
    states,
    placement,
    step,
    acts,
    communication: part(commBytes, bucketNote ? `${shard.scheme}; ${bucketNote}` : shard.scheme, {
      accuracy: 'model',
      parts: comm,
    }),
    peak,
    overhead,
    share,
  });
  const total = Object.values(parts).reduce((s, x) => s + x.bytes, 0);
  const allocated = total - overhead.bytes;
  const host: Record<string, BreakdownPart> = {
    ...placement.host,
    ...(acts.hostBytes > 0
      ? {
          activations: part(acts.hostBytes, 'checkpointed activations offloaded to CPU', {
            source: 'torchtune training/_activation_offloading.py',
          }),
        }
      : {}),
  };
  const hostTotal = Object.values(host).reduce((s, x) => s + x.bytes, 0);
  const band = overheadBand(
    allocated,
    total,
    Math.max(acts.logits.bytes, step.total, acts.perLayerBytes),
    w.overhead.contextBytes,
  );
  // Bounded inputs can still multiply past 2^53 (seq × micro-batch × width × layers).
  if (!Number.isSafeInteger(band.high) || !Number.isSafeInteger(hostTotal))
    requireExactTotal(Number.NaN, 'training.seq', { seq: w.seq, microBatch: w.microBatch });
  return {
    total,
    parts,
    peakAllocated: allocated,
    peakPhase: peak.phase,
    phases: { forwardBackward: Math.ceil(peak.forwardBackward), optimizerStep: Math.ceil(peak.optimizerStep) },
    overheadBand: band,
    hostBytes: { total: hostTotal, parts: host, perNode: hostTotal * Math.min(par.gpusPerNode, p.gpus) },
    nvmeBytes: placement.nvme,
    pageableBytes: Math.ceil(states.pagedOptimizer),
    parameters: { total: prepared.parameters.total, trainable: setup.printed.trainable, all: setup.printed.all },
    ...(setup.plan ? { adapters: setup.plan } : {}),
    workload: w,
    sharding: { ...shard, dataParallel: dp },
    effectiveBatch: w.microBatch * w.gradAccum * dp,
    assumptions: [
      ...workloadAssumptions(input, p),
      ...(input.loss === undefined && prec.megatronCore
        ? ["loss vocab-parallel: Megatron-Core's cross-entropy (one fp32 copy of the logits, softmax in place)"]
        : []),
      ...setup.assumptions,
      ...(setup.peft &&
      w.lora.expertLayout === undefined &&
      w.lora.expertModules === undefined &&
      hasLinearExperts(prepared)
        ? [
            `MoE experts in transformers' ${expertLayout} layout (${version ? `the config names transformers ${version}` : 'no transformers_version given: the current release'}); lora.expertLayout chooses`,
          ]
        : []),
      ...(bucketNote ? [bucketNote] : []),
    ],
  };
}

/** MoE layers whose experts transformers stores either split or fused (the layout decides peft's count). */
function hasLinearExperts(prepared: PreparedModel): boolean {
  return (
    prepared.arch.layers.some((l) => l.mlp.kind === 'moe') &&
    defaultExpertModules(prepared.arch) === 'per-expert-linear'
  );
}

/** What the result assumed where the caller was silent. */
function workloadAssumptions(
  input: Omit<TrainingOptions, 'model' | 'baseFormat' | 'transformersVersion'>,
  p: ResolvedTrainingWorkload['parallel'],
): string[] {
  return [
    ...(input.seq === undefined ? [`seq defaulted to ${DEFAULT_TRAINING_SEQ} tokens`] : []),
    ...(p.ep > 1
      ? [
          `expert parallel ${p.ep}: expert weights split over ${p.ep} ranks; their ZeRO/FSDP shards are counted over the full data-parallel group (a lower bound for expert optimizer states)`,
        ]
      : []),
    ...(input.precision === undefined
      ? ['precision bf16-mixed (bf16 weights and grads, fp32 master and Adam states)']
      : []),
  ];
}
