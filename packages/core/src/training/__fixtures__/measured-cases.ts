import { prepareModel } from '../../model/prepare-model.js';
import { GIB } from '../../memory/units.js';
import type { TrainingOptions } from '../estimate-training.js';
import { llama2_7b, llama31_8b, llama31_70b, llama32_3b } from './architectures.js';
import measured from './training_measured.json' with { type: 'json' };

const llama2 = prepareModel(llama2_7b);
const llama3b = prepareModel(llama32_3b);
const llama8b = prepareModel(llama31_8b);
const llama70b = prepareModel(llama31_70b);

/** torchtune README "optimization flags" table: Llama 3.2 3B, bs 2, packed to 4096, bf16 (cumulative flags). */
const tt3b = { model: llama3b, precision: 'bf16', seq: 4096, microBatch: 2 } as const;
const ttCompiled = { ...tt3b, kernels: 'fused', loss: 'chunked' } as const;
const megatron = { model: llama2, precision: 'megatron-bf16', seq: 2048, kernels: 'fused' } as const;
const ALL_BUT_K = ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

/** One measured run of training_measured.json with the workload we model for it. */
export interface Case {
  id: string;
  /** What we assume where the source is silent. */
  assume: string;
  /** `allocated` compares peakAllocated (no CUDA context / allocator reserve); `total` the expected total. */
  compare: 'allocated' | 'total';
  options: TrainingOptions;
}

// Records of training_measured.json we model, each with its assumptions. Tolerance: 15%.
// Skipped, and why:
// - tm0376, tm0378 (A6000 rows of the same table): the flags that let the 4090 rows fit are evidently
//   not used on the 48 GB card, and the table does not say which were dropped.
// - tm0382 (405B QLoRA, 8×A100, FSDP): the NF4 sharding and CPU-offload settings of that run are not stated.
// - tm0383 (unpacked, max length 4096): the real sequence lengths of the unpacked dataset are unknown.
// - tm0396, tm0399 (PagedAdamW full fine-tunes): how much of the paged states the driver kept on the GPU is unknowable.
// - tm0398 (70B LoRA, 8×A100, 2024-05): sharding and checkpointing of that recipe version not stated.
// - tm0400–tm0412: batch and sequence length not stated in the tables (only in linked configs), or
//   init snapshots; tm0414/tm0415 are init snapshots (tm0414 a torchtune bug, per its note).
// - tm0420–tm0423 (mbridge): reduced Mixtral test config not in the snapshot.
// - tm0427–tm0435 (BELLE, bloom): precision, optimizer and DeepSpeed buckets not stated; nvidia-smi totals.
export const cases: Case[] = [
  { id: 'tm0384', assume: 'no compile: eager RMSNorm/SwiGLU, HF-style fp32 cross-entropy', compare: 'allocated', options: { ...tt3b } },
  { id: 'tm0385', assume: 'compile modelled as fused kernels; full-vocab fp32 loss', compare: 'allocated', options: { ...tt3b, kernels: 'fused' } },
  { id: 'tm0386', assume: 'compiled chunked CE keeps the bf16 logit chunks', compare: 'allocated', options: { ...ttCompiled } },
  { id: 'tm0387', assume: 'fused torch AdamW (torchtune configs: fused=True); peak in the optimizer step', compare: 'allocated', options: { ...ttCompiled, checkpointing: 'full' } },
  { id: 'tm0388', assume: 'optimizer_in_bwd frees each gradient at once', compare: 'allocated', options: { ...ttCompiled, checkpointing: 'full', optimizerInBackward: true } },
  { id: 'tm0389', assume: 'checkpoint inputs offloaded to CPU', compare: 'allocated', options: { ...ttCompiled, checkpointing: 'full', optimizerInBackward: true, activationOffload: true } },
  { id: 'tm0390', assume: "torchao AdamW8bit (torchtune's 8-bit optimizer), its fp32 per-tensor step inside backward", compare: 'allocated', options: { ...ttCompiled, checkpointing: 'full', optimizerInBackward: true, activationOffload: true, optimizer: 'torchao_adamw_8bit' } },
  { id: 'tm0391', assume: 'llama3_2/3B_lora_single_device defaults: r=8 on q, v, output_proj', compare: 'allocated', options: { ...ttCompiled, method: 'lora', lora: { rank: 8, targets: ['q_proj', 'v_proj', 'o_proj'] }, checkpointing: 'full', activationOffload: true } },
  { id: 'tm0392', assume: 'as tm0391 with an NF4 base', compare: 'allocated', options: { ...ttCompiled, method: 'qlora', lora: { rank: 8, targets: ['q_proj', 'v_proj', 'o_proj'] }, checkpointing: 'full', activationOffload: true } },
  { id: 'tm0416', assume: 'seq 2048 (not stated), flash attention, distributed optimizer (ZeRO-1 over DP), no recompute', compare: 'allocated', options: { ...megatron, microBatch: 2, parallel: { gpus: 8, zero: 1 } } },
  { id: 'tm0417', assume: 'as tm0416, TP2 without sequence parallelism', compare: 'allocated', options: { ...megatron, microBatch: 4, parallel: { gpus: 8, tp: 2, zero: 1 } } },
  { id: 'tm0418', assume: 'as tm0416, PP2 1F1B with 2 micro-batches in flight on stage 0', compare: 'allocated', options: { ...megatron, microBatch: 2, gradAccum: 256, parallel: { gpus: 8, pp: 2, zero: 1 } } },
  { id: 'tm0419', assume: 'as tm0416, TP8 (DP1: plain mixed-precision optimizer)', compare: 'allocated', options: { ...megatron, microBatch: 4, parallel: { gpus: 8, tp: 8 } } },
  { id: 'tm0375', assume: 'current 8B_full_single_device: PagedAdamW8bit (evicted to CPU on the 24 GB card), optimizer_in_bwd, AC, compile, chunked CE', compare: 'allocated', options: { model: llama8b, precision: 'bf16', optimizer: 'paged_adamw_8bit', pagedOptimizer: 'evicted', optimizerInBackward: true, checkpointing: 'full', seq: 2048, microBatch: 2, kernels: 'fused', loss: 'chunked' } },
  { id: 'tm0377', assume: '8B_lora_single_device: r=8 on q, v, output_proj + MLP, AC, compile, chunked CE', compare: 'allocated', options: { model: llama8b, method: 'lora', lora: { rank: 8, targets: ALL_BUT_K }, precision: 'bf16', checkpointing: 'full', seq: 2048, microBatch: 2, kernels: 'fused', loss: 'chunked' } },
  { id: 'tm0379', assume: 'as tm0377 with an NF4 base', compare: 'allocated', options: { model: llama8b, method: 'qlora', lora: { rank: 8, targets: ALL_BUT_K }, precision: 'bf16', checkpointing: 'full', seq: 2048, microBatch: 2, kernels: 'fused', loss: 'chunked' } },
  { id: 'tm0381', assume: '70B LoRA as tm0377, FSDP full shard over 8', compare: 'allocated', options: { model: llama70b, method: 'lora', lora: { rank: 8, targets: ALL_BUT_K }, precision: 'bf16', checkpointing: 'full', seq: 2048, microBatch: 2, kernels: 'fused', loss: 'chunked', parallel: { gpus: 8, fsdp: 'full' } } },
  { id: 'tm0394', assume: '2024 llama2/7B_lora_single_device: r=8 on q, v, AC, eager, full fp32 CE; statistic unnamed → total', compare: 'total', options: { model: llama2, method: 'lora', lora: { rank: 8, targets: ['q_proj', 'v_proj'] }, precision: 'bf16', checkpointing: 'full', seq: 2048, microBatch: 4 } },
  { id: 'tm0393', assume: '2024 7B_qlora_single_device: r=8 on all seven projections, AC, compile', compare: 'total', options: { model: llama2, method: 'qlora', lora: { rank: 8, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] }, precision: 'bf16', checkpointing: 'full', seq: 2048, microBatch: 4, kernels: 'fused' } },
  { id: 'tm0395', assume: 'as tm0394 with FSDP full shard over 2', compare: 'total', options: { model: llama2, method: 'lora', lora: { rank: 8, targets: ['q_proj', 'v_proj'] }, precision: 'bf16', checkpointing: 'full', seq: 2048, microBatch: 4, parallel: { gpus: 2, fsdp: 'full' } } },
  { id: 'tm0397', assume: '2024 full_finetune_distributed: bf16 AdamW, AC, FSDP full shard over 4', compare: 'total', options: { model: llama2, precision: 'bf16', checkpointing: 'full', seq: 2048, microBatch: 4, parallel: { gpus: 4, fsdp: 'full' } } },
];

/** The measured peak of a record, in bytes. */
export function measuredBytes(id: string): number {
  const r = measured.records.find((x) => x.id === id);
  if (!r || typeof r.measured_value !== 'number') throw new Error(`no record ${id}`);
  return r.measured_value * (r.unit === 'GiB' ? GIB : 1e9);
}

