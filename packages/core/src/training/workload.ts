import * as v from 'valibot';
import type { Architecture } from '../model/architecture.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { OverheadOptionsSchema } from '../memory/overhead.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { integerAtLeast, numberBetween } from '../validate.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { CHECKPOINTING_IDS } from './checkpointing.js';
import { OPTIMIZER_IDS } from './optimizers.js';
import { PRECISION_IDS } from './precision.js';

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
            // Empty only beside `lora.targetParameters` (peft's target_modules=None); resolveAdapters checks it.
            v.array(v.pipe(v.string(), v.minLength(1))),
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
      /** peft `target_parameters`: fused 3-D expert parameters (`experts.gate_up_proj`, `experts.down_proj`); see LoraOptions.targetParameters. */
      targetParameters: v.optional(
        v.pipe(
          v.array(v.pipe(v.string(), v.minLength(1))),
          v.minLength(1, 'give at least one parameter name, e.g. experts.gate_up_proj'),
        ),
      ),
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
  /**
   * Loss head: `hf`, `chunked`, `fused` or `vocab-parallel` (Megatron-Core's cross-entropy). Default: `hf`,
   * `vocab-parallel` under a Megatron-Core precision preset (`megatron-bf16`, `fp8`).
   */
  loss: v.optional(
    v.picklist(['hf', 'chunked', 'fused', 'vocab-parallel'], 'loss must be hf, chunked, fused or vocab-parallel'),
    'hf',
  ),
  /** Dropout in training (GPT/Megatron pre-training style): masks and dropped attention probabilities. */
  dropout: v.optional(v.boolean(), false),
  /**
   * Device of the SDPA kernels under `attention: 'flash'`, which picks torch's backend per layer
   * (flash, memory-efficient or math; `sdpaBackend`): `cuda` (the default when absent) or `cpu`.
   * Not applicable to `attention: 'naive'`.
   */
  attentionDevice: v.optional(v.picklist(['cuda', 'cpu'], 'attentionDevice must be cuda or cpu')),
  /**
   * Kernels of Gated DeltaNet layers (Qwen3-Next): `fla` (flash-linear-attention and causal-conv1d
   * installed; the default when absent) or `torch` (transformers' PyTorch fallbacks, on any device when
   * those packages are missing: every fp32 chunk intermediate is saved). Only for models with such layers.
   */
  linearAttentionKernels: v.optional(v.picklist(['fla', 'torch'], 'linearAttentionKernels must be fla or torch')),
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
  /** QLoRA with peft's prepare_model_for_kbit_training: non-quantized weights in fp32, so every activation is fp32. */
  kbitUpcast: v.optional(v.boolean(), false),
  parallel: v.optional(ParallelSchema, {}),
  overhead: OverheadOptionsSchema,
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
  /**
   * The transformers version the model's config names (`config.json` `transformers_version`). It sets
   * the default `lora.expertLayout` of MoE experts: `split` before 5, `fused` from 5 (`expertLayoutOf`);
   * absent → the prepared model's `transformersVersion`, else `fused` (the current release).
   * `lora.expertLayout` overrides it.
   */
  transformersVersion?: string;
}

/**
 * A `lora.*` option the caller gave (a defined value, not a schema default) configures adapters: with
 * `method` full there are none, so it would be silently ignored. Refuse each such field by name.
 * @throws InvalidInputError with one issue per given `lora.*` field
 */
export function refuseLoraOptionsWithoutAdapters(
  input: Pick<TrainingWorkload, 'lora'>,
  method: ResolvedTrainingWorkload['method'],
): void {
  if (method !== 'full' || !input.lora) return;
  const given = Object.entries(input.lora).filter(([, value]) => value !== undefined);
  if (given.length === 0) return;
  const named = (key: string) => `\`lora.${key}\``;
  throw new InvalidInputError(
    given.map(([key, value]) => {
      const others = given.filter(([k]) => k !== key).map(([k]) => named(k));
      const also = others.length > 0 ? `; so ${others.length > 1 ? 'do' : 'does'} ${others.join(', ')}` : '';
      return {
        path: `training.lora.${key}`,
        message: `${named(key)} configures LoRA adapters, which \`method\` full does not train${also}: drop ${others.length > 0 ? 'them' : 'it'} or set \`method\` to lora, qlora or dora`,
        received: value,
      };
    }),
  );
}
