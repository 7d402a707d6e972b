import { type BreakdownPart, part } from '../memory/breakdown.js';

/** How the work is split across GPUs. Every field has a default of "not used". */
export interface ParallelismOptions {
  /** Total GPUs. */
  gpus: number;
  /** Tensor parallel degree (Megatron column/row splits). */
  tp: number;
  /** Pipeline stages. */
  pp: number;
  /** Context parallel degree (sequence split for attention). */
  cp: number;
  /** Expert parallel degree for MoE experts. */
  ep: number;
  /** DeepSpeed ZeRO stage 0–3 over the data-parallel group. */
  zero: 0 | 1 | 2 | 3;
  /** PyTorch FSDP: `full` (FULL_SHARD ≈ ZeRO-3), `grad-op` (SHARD_GRAD_OP ≈ ZeRO-2), `hybrid` (full shard within `fsdpShardSize` GPUs, replicate across). */
  fsdp: 'none' | 'full' | 'grad-op' | 'hybrid';
  /** GPUs per FSDP shard group with `hybrid` (default: GPUs per node). */
  fsdpShardSize?: number;
  sequenceParallel: boolean;
  /** ZeRO-Offload / ZeRO-Infinity: move optimizer states (and master weights), or those plus parameters. */
  offload: 'none' | 'optimizer' | 'optimizer+params';
  offloadDevice: 'cpu' | 'nvme';
  /** GPUs sharing one host's RAM (for the per-node host total). */
  gpusPerNode: number;
}

/** Data-parallel size: GPUs ÷ (tp × pp × cp). */
export function dataParallelSize(p: Pick<ParallelismOptions, 'gpus' | 'tp' | 'pp' | 'cp'>): number {
  return p.gpus / (p.tp * p.pp * p.cp);
}

/** The effective sharding stage and degree of model states. */
export function shardingOf(p: ParallelismOptions): { stage: 0 | 1 | 2 | 3; degree: number; scheme: string } {
  // Model states shard over the data-parallel ranks and the context-parallel ranks together:
  // torchtitan builds FSDP on the flattened dp_shard × cp mesh (torchtitan/distributed/parallel_dims.py
  // "dp_shard_cp"), Megatron's distributed optimizer shards over the data-parallel group with context
  // parallelism (megatron/core/parallel_state.py get_data_parallel_group(with_context_parallel=True)).
  const dp = dataParallelSize(p) * (p.cp ?? 1);
  if (p.fsdp === 'full') return { stage: 3, degree: dp, scheme: `FSDP FULL_SHARD over ${dp}` };
  if (p.fsdp === 'grad-op') return { stage: 2, degree: dp, scheme: `FSDP SHARD_GRAD_OP over ${dp}` };
  if (p.fsdp === 'hybrid') {
    const d = Math.min(p.fsdpShardSize ?? p.gpusPerNode, dp);
    return { stage: 3, degree: d, scheme: `FSDP HYBRID_SHARD: shard over ${d}, replicate ×${dp / d}` };
  }
  return {
    stage: p.zero,
    degree: p.zero === 0 ? 1 : dp,
    scheme: p.zero === 0 ? (dp > 1 ? `DDP over ${dp}` : 'single replica') : `ZeRO-${p.zero} over ${dp}`,
  };
}

/** Bytes per parameter of the three model-state kinds. */
export interface StateBytesPerParam {
  weights: number;
  gradients: number;
  /** Optimizer states plus fp32 master weights (the ZeRO paper's K). */
  optimizer: number;
}

/** Options of {@link zeroModelStateBytes}. */
export interface ZeroTableOptions {
  parameters: number;
  bytesPerParam: StateBytesPerParam;
  stage: 0 | 1 | 2 | 3;
  /** Data-parallel GPUs (N_d). */
  gpus: number;
  /**
   * `paper`: ZeRO paper §5 (stage 1: (2+2)Ψ + KΨ/N; stage 2: 2Ψ + (2+K)Ψ/N; stage 3: (2+2+K)Ψ/N).
   * `deepspeed-estimator`: DeepSpeed's own estimate functions, which differ on stage 2
   * (stage_1_and_2.py estimate_zero2_model_states_mem_needs: 4Ψ + 16Ψ/N without offload).
   */
  accounting?: 'paper' | 'deepspeed-estimator';
}

/**
 * Per-GPU model-state bytes under ZeRO (weights + gradients + optimizer), as the ZeRO paper counts
 * them (Rajbhandari et al. 2020, Figure 1 and §5). Reproduces the paper's 7.5B / 64-GPU example
 * (120 / 31.4 / 16.6 / 1.9 GB) and seed 004's 7B / 8-GPU table (112 / 38.5 / 26.25 / 14 GB).
 * @returns bytes with `weights`, `gradients`, `optimizer` children
 */
export function zeroModelStateBytes(o: ZeroTableOptions): BreakdownPart {
  const { parameters: psi, bytesPerParam: b, stage, gpus: n } = o;
  if (o.accounting === 'deepspeed-estimator' && (stage === 1 || stage === 2)) {
    const w = b.weights * psi;
    const g = b.gradients * psi;
    const opt = ((b.optimizer + b.gradients * 2) * psi) / n;
    return part(
      w + g + opt,
      `DeepSpeed estimator: ${b.weights + b.gradients}Ψ + ${b.optimizer + 2 * b.gradients}Ψ/${n}`,
      {
        accuracy: 'model',
        source:
          'deepspeed/runtime/zero/stage_1_and_2.py estimate_zero2_model_states_mem_needs (gpu_mem = 4Ψ + 16Ψ/N), which differs from the ZeRO paper',
        parts: {
          weights: part(w, `${b.weights}Ψ`),
          gradients: part(g, `${b.gradients}Ψ`),
          optimizer: part(opt, `${b.optimizer + 2 * b.gradients}Ψ/${n}`),
        },
      },
    );
  }
  const w = stage >= 3 ? (b.weights * psi) / n : b.weights * psi;
  const g = stage >= 2 ? (b.gradients * psi) / n : b.gradients * psi;
  const opt = stage >= 1 ? (b.optimizer * psi) / n : b.optimizer * psi;
  return part(
    w + g + opt,
    `ZeRO-${stage}: weights ${b.weights}Ψ${stage >= 3 ? `/${n}` : ''} + grads ${b.gradients}Ψ${stage >= 2 ? `/${n}` : ''} + optimizer ${b.optimizer}Ψ${stage >= 1 ? `/${n}` : ''}`,
    {
      accuracy: 'exact',
      source:
        'Rajbhandari et al. 2020, "ZeRO: Memory Optimizations Toward Training Trillion Parameter Models", Figure 1 / §5',
      parts: {
        weights: part(w, 'weights'),
        gradients: part(g, 'gradients'),
        optimizer: part(opt, 'optimizer states + master'),
      },
    },
  );
}

// DeepSpeed deepspeed/runtime/zero/config.py defaults (elements).
export const DEEPSPEED_BUCKETS = {
  reduceBucketSize: 500_000_000,
  allgatherBucketSize: 500_000_000,
  stage3PrefetchBucketSize: 50_000_000,
  stage3MaxLiveParameters: 1_000_000_000,
} as const;
