import { type BreakdownPart, part } from '../memory/breakdown.js';
import { DEEPSPEED_BUCKETS } from './parallelism.js';

/** Inputs of {@link communicationBuffers}: the sharding scheme and the sizes it gathers and reduces. */
export interface CommunicationInput {
  /** `shardingOf(...).scheme` (DDP, FSDP, ZeRO-k or single replica). */
  scheme: string;
  stage: 0 | 1 | 2 | 3;
  /** FSDP mode when FSDP shards (the fsdp-bf16 preset implies it), else `none`. */
  fsdp: 'none' | 'full' | 'grad-op' | 'hybrid';
  peft: boolean;
  /** Megatron-Core's DDP / distributed optimizer (`PrecisionSpec.megatronCore`): collectives run in its own buffers. */
  megatronCore: boolean;
  /** Trainable elements on this rank (after the model-parallel share). */
  trainableParams: number;
  /** All elements on this rank. */
  rankParams: number;
  /** Elements of the largest layer on this rank (after TP). */
  largestLayerParams: number;
  /** Frozen base bytes per parameter (a LoRA/QLoRA unit is gathered in its storage). */
  frozenBytesPerParam: number;
  computeBytes: number;
  gradBytes: number;
  /** Pipeline send/recv buffers (0 without pipeline parallelism). */
  pipelineActivationBytes: number;
}

/**
 * Communication buffers per GPU, each from the framework's source: DDP's gradient buckets, FSDP's
 * gathered units, DeepSpeed's allgather / reduce buckets and ZeRO-3 live parameters, pipeline P2P.
 * Megatron-Core's DDP and distributed optimizer add none: they reduce and gather inside the grad and
 * param buffers that already hold the gradients and weights.
 * @returns named parts (empty for a single replica)
 */
export function communicationBuffers(c: CommunicationInput): Record<string, BreakdownPart> {
  const comm: Record<string, BreakdownPart> = {};
  const T = c.trainableParams;
  // Megatron-Core (its DDP and distributed optimizer, ZeRO ≤ 1): buckets are views of the buffers the states live in.
  if (c.megatronCore && c.fsdp === 'none' && c.stage <= 1) {
    if (c.scheme !== 'single replica')
      comm.inBuffers = part(
        0,
        'Megatron-Core: gradients all-reduced / reduce-scattered in the grad buffer, parameters all-gathered into the param buffer (bucket views, no copy)',
        {
          source:
            'megatron/core/distributed/param_and_grad_buffer.py _ParamAndGradBucketGroup.start_grad_sync, start_param_sync; _ParamAndGradBuffer._new_bucket',
        },
      );
    if (c.pipelineActivationBytes > 0) comm.pipelineP2P = pipelineP2P(c.pipelineActivationBytes);
    return comm;
  }
  if (c.scheme.startsWith('DDP')) {
    comm.ddpBuckets = part(
      T * c.gradBytes,
      'DDP gradient buckets: a second copy of every gradient (gradient_as_bucket_view=False)',
      { source: 'torch/nn/parallel/distributed.py, torch/csrc/distributed/c10d/reducer.cpp' },
    );
  } else if (c.fsdp !== 'none') {
    // A LoRA/QLoRA unit is gathered in the frozen base's storage (NF4 stays packed), full fine-tuning in the compute dtype.
    const unitBytesPerParam = c.peft ? c.frozenBytesPerParam : c.computeBytes;
    const unit = c.largestLayerParams * unitBytesPerParam;
    comm.gatheredUnits = part(
      2 * unit,
      `FSDP: current + prefetched unsharded layer (${Math.round(c.largestLayerParams).toLocaleString('en-US')} params × ${unitBytesPerParam.toFixed(3)} B × 2)`,
      { source: 'torch/distributed/fsdp (BackwardPrefetch.BACKWARD_PRE keeps two units unsharded)' },
    );
    comm.unshardedGrad = part(
      c.largestLayerParams * (c.peft ? 0 : c.gradBytes),
      'unsharded gradient of one unit before reduce-scatter',
    );
    if (c.fsdp === 'grad-op')
      comm.keptParams = part(
        c.rankParams * c.computeBytes,
        'SHARD_GRAD_OP keeps parameters unsharded from forward to backward',
      );
  } else if (c.stage >= 1) {
    const b = DEEPSPEED_BUCKETS;
    if (c.stage < 3)
      comm.allgatherBucket = part(
        Math.min(b.allgatherBucketSize, T) * c.computeBytes,
        `allgather bucket min(5e8, params) × ${c.computeBytes} B`,
        { source: 'deepspeed/runtime/zero/config.py (allgather_bucket_size 5e8)' },
      );
    if (c.stage >= 2)
      comm.reduceBucket = part(
        Math.min(b.reduceBucketSize, T) * c.gradBytes,
        `reduce bucket min(5e8, params) × ${c.gradBytes} B`,
        { source: 'deepspeed/runtime/zero/config.py (reduce_bucket_size 5e8)' },
      );
    if (c.stage >= 3) {
      comm.liveParameters = part(
        Math.min(b.stage3MaxLiveParameters, c.rankParams) * c.computeBytes,
        'gathered parameters: min(stage3_max_live_parameters 1e9, params) × bytes',
        {
          source: 'deepspeed/runtime/zero/config.py (stage3_max_live_parameters 1e9, stage3_prefetch_bucket_size 5e7)',
        },
      );
    }
  }
  if (c.pipelineActivationBytes > 0) comm.pipelineP2P = pipelineP2P(c.pipelineActivationBytes);
  return comm;
}

function pipelineP2P(bytes: number): BreakdownPart {
  return part(bytes, 'pipeline send/recv of one activation each way: 2 × s·b·h');
}
