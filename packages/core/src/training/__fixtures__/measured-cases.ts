import { fixtureModel } from '@vramkit/fixtures';
import { GIB } from '../../memory/units.js';
import type { TrainingEstimate, TrainingOptions } from '../estimate-training.js';
import measured from './training_measured.json' with { type: 'json' };

// Models from the recorded configs (the catalogue) through normalizeConfig, as a user's model reaches core.
const llama2 = fixtureModel('meta-llama/Llama-2-7b-hf');
const llama3b = fixtureModel('meta-llama/Llama-3.2-3B-Instruct');
const llama8b = fixtureModel('meta-llama/Meta-Llama-3.1-8B');
const llama70b = fixtureModel('meta-llama/Meta-Llama-3.1-70B');
const llama405b = fixtureModel('meta-llama/Meta-Llama-3.1-405B');

/** torchtune README "optimization flags" table: Llama 3.2 3B, bs 2, packed to 4096, bf16 (cumulative flags). */
const tt3b = { model: llama3b, precision: 'bf16', seq: 4096, microBatch: 2 } as const;
const ttCompiled = { ...tt3b, kernels: 'fused', loss: 'chunked' } as const;
const megatron = { model: llama2, precision: 'megatron-bf16', seq: 2048, kernels: 'fused' } as const;
const ALL_BUT_K = ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
const SEVEN = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];
/**
 * torchtune 2024-04/05 llama2 recipes on alpaca(_cleaned) with max_seq_len 512: samples are truncated at 512
 * and batches padded to their longest, so a run's peak is reached at a 512-token batch (the cap). Eager
 * kernels, full fp32 cross-entropy; torch.optim.AdamW without `fused` runs its foreach implementation.
 */
const tt2404 = { model: llama2, precision: 'bf16', seq: 512, microBatch: 2, optimizerImpl: 'foreach' } as const;
const tt2404Lora = (rank: number, targets: string[]) =>
  ({ ...tt2404, method: 'lora', lora: { rank, targets }, checkpointing: 'full' }) as const;

/**
 * mbridge's memory-estimator comparison (README "Some result comparison", commit 10cb17f): a
 * "Mixtral-8x2B with reduced layers" whose test_small.yaml was never committed; the estimator's module
 * printout in the same README gives it: 4 layers, hidden 2048, GQA qkv of 4096 outputs (32 heads of 64:
 * core_attention keeps 32 × 4096 softmax statistics, so 16 KV heads), 8 experts of ffn 5440 (fc1
 * 22,282,240 = 2048 × 2 × 5440), 1,024 tokens per expert of 4,096 (top-2), vocab 32,000, untied head;
 * Mixtral-8x7B's config with those fields replaced. Megatron on 8 GPUs: bf16 with fp32 gradients and a
 * distributed optimizer over DP (its num_bytes_per_parameter=7.5 = 2 + 4 + 12/8 at TP 1), TE flash
 * attention, no recompute; MoE with TP needs sequence parallelism (Megatron arguments.py).
 */
const mbridgeSmall = fixtureModel('mistralai/Mixtral-8x7B-v0.1', {
  hidden_size: 2048,
  intermediate_size: 5440,
  num_hidden_layers: 4,
  num_attention_heads: 32,
  num_key_value_heads: 16,
});
const mbridge = (tp: 1 | 2, microBatch: number): TrainingOptions => ({
  model: mbridgeSmall,
  precision: 'megatron-bf16',
  seq: 4096,
  microBatch,
  kernels: 'fused',
  parallel: { gpus: 8, tp, zero: 1, ...(tp > 1 ? { sequenceParallel: true } : {}) },
});
const MBRIDGE_ASSUME =
  "mbridge's reduced Mixtral (config from its estimator's printout), Megatron bf16, distributed optimizer over DP, no recompute; 'Real' read as the allocator peak in GiB (the unit of the estimator columns beside it)";

/** Records whose "GB" is 2^30 B: the source compares them with figures it prints as MB / 1024 of 2^20 B. */
const GIB_READINGS = new Set(['tm0420', 'tm0421', 'tm0422', 'tm0423']);

/** One measured run of training_measured.json with the workload we model for it. */
export interface Case {
  id: string;
  /** What we assume where the source is silent. */
  assume: string;
  /**
   * `allocated` compares peakAllocated (no CUDA context / allocator reserve); `total` the expected total;
   * `init` the weights and adapters alone (a snapshot after model init, before the first step: {@link initCases}).
   */
  compare: 'allocated' | 'total' | 'init';
  options: TrainingOptions;
}

// Records of training_measured.json we model, each with its assumptions; those we do not, with why, in
// `excluded` below. Target: each within 20%, median within 10% (issue 14).
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
  { id: 'tm0380', assume: '70B full, FSDP full shard over 8 + CPU offload of parameters and optimizer, optimizer in backward (footnote **), AC, compile, chunked CE', compare: 'allocated', options: { model: llama70b, precision: 'bf16', checkpointing: 'full', seq: 2048, microBatch: 2, kernels: 'fused', loss: 'chunked', optimizerInBackward: true, parallel: { gpus: 8, fsdp: 'full', offload: 'optimizer+params' } } },
  { id: 'tm0382', assume: 'llama3_1/405B_qlora.yaml as read at torchtune 0377ca6 (a later commit): r=16 on q, v, output_proj + MLP, AC, no CPU offload, fused AdamW, chunked CE; FSDP over 8; the table: bs 2, packed 2048, compile', compare: 'allocated', options: { model: llama405b, method: 'qlora', lora: { rank: 16, targets: ALL_BUT_K }, precision: 'bf16', checkpointing: 'full', seq: 2048, microBatch: 2, kernels: 'fused', loss: 'chunked', parallel: { gpus: 8, fsdp: 'full' } } },
  { id: 'tm0376', assume: 'as tm0375 on the 48 GB A6000: the paged 8-bit states stay resident (the driver pages only under pressure)', compare: 'allocated', options: { model: llama8b, precision: 'bf16', optimizer: 'paged_adamw_8bit', pagedOptimizer: 'resident', optimizerInBackward: true, checkpointing: 'full', seq: 2048, microBatch: 2, kernels: 'fused', loss: 'chunked' } },
  { id: 'tm0402', assume: '2024-04 llama2/7B_lora_single_device: r=8 on q, v, AC, bs 2, 512-token batches', compare: 'total', options: tt2404Lora(8, ['q_proj', 'v_proj']) },
  { id: 'tm0403', assume: '2024-04 llama2/7B_full_low_memory: bnb PagedAdamW (32-bit) evicted to CPU on the 24 GB card, optimizer in backward, AC', compare: 'total', options: { ...tt2404, optimizer: 'paged_adamw', pagedOptimizer: 'evicted', optimizerInBackward: true, checkpointing: 'full' } },
  { id: 'tm0404', assume: '2024-04 llama2/7B_full (distributed): bf16 AdamW, AC, FSDP full shard over 4, bs 2, 512-token batches', compare: 'total', options: { ...tt2404, checkpointing: 'full', parallel: { gpus: 4, fsdp: 'full' } } },
  { id: 'tm0405', assume: 'LoRA tutorial, 7B_lora_single_device: r=8 on q, v, AC, bs 2, 512-token batches (reserved)', compare: 'total', options: tt2404Lora(8, ['q_proj', 'v_proj']) },
  { id: 'tm0406', assume: 'as tm0405, "all layers": r=8 on the seven projections and the output head', compare: 'total', options: tt2404Lora(8, [...SEVEN, 'lm_head']) },
  { id: 'tm0407', assume: 'as tm0405 at r=64', compare: 'total', options: tt2404Lora(64, ['q_proj', 'v_proj']) },
  { id: 'tm0408', assume: 'as tm0406 at r=64', compare: 'total', options: tt2404Lora(64, [...SEVEN, 'lm_head']) },
  { id: 'tm0409', assume: "QLoRA tutorial's LoRA row (peak reserved in training): as tm0405", compare: 'total', options: tt2404Lora(8, ['q_proj', 'v_proj']) },
  { id: 'tm0420', assume: `${MBRIDGE_ASSUME}; TP 2, micro-batch 1`, compare: 'allocated', options: mbridge(2, 1) },
  { id: 'tm0421', assume: `${MBRIDGE_ASSUME}; TP 2, micro-batch 2`, compare: 'allocated', options: mbridge(2, 2) },
  { id: 'tm0422', assume: `${MBRIDGE_ASSUME}; TP 1, micro-batch 1`, compare: 'allocated', options: mbridge(1, 1) },
  { id: 'tm0423', assume: `${MBRIDGE_ASSUME}; TP 1, micro-batch 2`, compare: 'allocated', options: mbridge(1, 2) },
];

/**
 * Records not modelled, each with the precise reason (what the source leaves unstated, or why the reading is
 * not a training peak). Every record of training_measured.json is in `cases`, `initCases` or here.
 */
export const excluded: Readonly<Record<string, string>> = {
  tm0378:
    'same recipe as tm0377, which peaks at 16.2 GiB on the 4090; 30.3 GiB on the A6000 means other flags (presumably activation checkpointing off, about +14 GiB of saved activations), and the table does not say which',
  tm0383:
    'unpacked dataset at max length 4096 without checkpointing: the saved activations scale with the real sequence lengths, which are not stated',
  tm0396:
    'PagedAdamW full fine-tune of 7B on a 24 GB card: 54 GB of fp32 states are paged, so the reading (24.1 GB, the card) is what paging left resident, not a derivable peak',
  tm0398:
    "70B LoRA over 8 A100 (2024-05): 'Seq Length = 4096' caps unpacked alpaca samples; with llama2/70B_lora.yaml's settings (r=16 on q, v, output_proj + MLP, AC, FSDP) full 4096 × 4 batches give +116% (the checkpointed inputs alone are 21 GB per GPU), so the run's real lengths, which are not stated, were far shorter",
  tm0399:
    'PagedAdamW full fine-tune of 70B over 8 A100: the paged states fill what FSDP leaves free (70.4 of 80 GB), and the FSDP settings are not stated',
  tm0400:
    '2024-04 QLoRA: 8.57 GB is near the 9.13 GB reserved at model init by the same recipe (tm0412): the reserved pool keeps the bf16-to-NF4 load transient; the training peak (about 5 GB modelled) lies below it',
  tm0401:
    '2024-04 distributed LoRA on 2 GPUs: 20.95 GB exceeds an unsharded bf16 copy of the model (13.5 GB) plus the modelled activations; how that recipe loaded and wrapped the model for FSDP (a full copy per rank before sharding, kept in reserved memory) is not stated',
  tm0411:
    'QLoRA tutorial, peak reserved in training (9.29 GB) is the reserved pool after init (9.13 GB, tm0412): the caching allocator keeps the init transient, so it is not a training peak',
  tm0412:
    'reserved at init of the 2024 NF4 recipe: it holds the transient of loading bf16 weights before quantizing them, whose schedule is not stated',
  tm0414:
    "a torchtune bug (PR #1485, 'Add missing quantize_base to llama 3.1': layers without a LoRA adapter were not quantized): after init only q_proj and v_proj are NF4 and every other linear stays bf16, a partial 4-bit base that `method: 'qlora'` (every linear NF4) cannot express",
  ...Object.fromEntries(
    ['tm0427', 'tm0428', 'tm0429', 'tm0430', 'tm0431', 'tm0432', 'tm0433', 'tm0434', 'tm0435'].map((id) => [
      id,
      "BELLE issue 402 (2 TITAN RTX, batch 1; the BELLE train/ scripts of 2023-05 the record names: fp16, AdamW, allgather bucket 2e8, reduce bucket hidden², gradient checkpointing in scripts/run.sh): from bloom-560m to bloom-1b1 the readings rise 16–19 B per added parameter on both GPUs at every ZeRO stage (ZeRO-1 GPU0 12.6 → 20.7 GB), while fp16 AdamW states over 2 GPUs grow 8–12 B/param (ZeRO-3 … ZeRO-1) and the buckets, logits and checkpointed inputs do not grow with the parameters; the 6–9 B/param more per GPU is not explained by the source (the tool, nvidia-smi or not, and what the reserved pool kept are unstated), and batch lengths are per sample (DataCollatorForSeq2Seq padding=True at batch 1: GPU0 reads the same for 560m at max 512 and 1024) and not stated",
    ]),
  ),
};

/** Snapshots after model init (before the first step): the weights and adapters alone. */
export const initCases: Case[] = [
  { id: 'tm0410', assume: 'as tm0409, reserved after model init: bf16 weights and adapters', compare: 'init', options: tt2404Lora(8, ['q_proj', 'v_proj']) },
  { id: 'tm0413', assume: 'Llama 3.2 3B LoRA (r=8 on q, v) after init: bf16 weights and adapters allocated', compare: 'init', options: { model: llama3b, method: 'lora', lora: { rank: 8, targets: ['q_proj', 'v_proj'] }, precision: 'bf16' } },
  { id: 'tm0415', assume: 'llama3_1/8B_qlora_single_device after init: NF4 base (embeddings and head bf16) and adapters allocated', compare: 'init', options: { model: llama8b, method: 'qlora', lora: { rank: 8, targets: ['q_proj', 'v_proj', 'o_proj'] }, precision: 'bf16' } },
];

/** The bytes of an estimate a case compares with its measurement. */
export function comparedBytes(c: Case, e: TrainingEstimate): number {
  if (c.compare === 'init') return e.parts.weights.bytes + e.parts.adapters.bytes;
  return c.compare === 'allocated' ? e.peakAllocated : e.total;
}

/** The unit a record's figure is read in: its own, or GiB where {@link GIB_READINGS} says the source's "GB" is 2^30 B. */
export function measuredUnit(id: string): 'GiB' | 'GB' {
  const r = measured.records.find((x) => x.id === id);
  return r?.unit === 'GiB' || GIB_READINGS.has(id) ? 'GiB' : 'GB';
}

/** The measured peak of a record, in bytes. */
export function measuredBytes(id: string): number {
  const r = measured.records.find((x) => x.id === id);
  if (!r || typeof r.measured_value !== 'number') throw new Error(`no record ${id}`);
  return r.measured_value * (measuredUnit(id) === 'GiB' ? GIB : 1e9);
}

