/**
 * Training precision presets. Published calculators disagree on "mixed-precision AdamW" (8, 16 or
 * 18 bytes per parameter) because frameworks keep different copies; each preset here is named after
 * the framework behaviour it models and cites it.
 */
export interface PrecisionSpec {
  id: PrecisionId;
  description: string;
  source: string;
  /** Bytes per element of the resident (sharded) trainable weight. */
  weightBytes: number;
  /** Bytes per element of a separate fp32 master copy (0 when the resident weight is the master). */
  masterBytes: number;
  /** Bytes per element of the gradient buffer. */
  gradBytes: number;
  /** Bytes per element of AdamW-style optimizer states (torch optimizers follow the parameter dtype). */
  stateBytes: number;
  /** Bytes per element of activations and of frozen base weights. */
  computeBytes: number;
  /**
   * Bytes per element of extra full-model compute copies kept during forward/backward: the autocast
   * weight cache (AMP) or FP8 weight and transpose copies (Transformer Engine). FSDP's gathered
   * unit is modelled by the parallelism layer instead.
   */
  computeCopyBytes: number;
  /**
   * Gradient buffers outlive the step (Megatron's contiguous main-grad buffer, Transformer Engine FP8
   * recipes): resident at the activation peak even without ZeRO/FSDP.
   */
  persistentGradients: boolean;
  /**
   * Megatron-Core trains with this preset: parameters and main grads are views into its contiguous
   * _ParamAndGradBuffer (collectives run in place) and the loss is its vocab-parallel cross-entropy.
   */
  megatronCore: boolean;
  /** Weight format of a frozen LoRA base when the caller gives none: the compute dtype. */
  computeDtype: 'f32' | 'bf16' | 'f16';
}

/** Bytes per element of the four model-state kinds of a trainable tensor. */
export type StateBytes = Pick<PrecisionSpec, 'weightBytes' | 'masterBytes' | 'gradBytes' | 'stateBytes'>;

/**
 * peft's adapters on a 16-bit base with get_peft_model(autocast_adapter_dtype=True): fp32 weights (their
 * own master), fp32 gradients and fp32 optimizer states (peft/tuners/tuners_utils.py _cast_adapter_dtype).
 */
export const FP32_ADAPTER_STATES: StateBytes = { weightBytes: 4, masterBytes: 0, gradBytes: 4, stateBytes: 4 };

/** Known precision presets (the workload's `precision`). */
export const PRECISION_IDS = [
  'fp32',
  'bf16',
  'fp16',
  'bf16-mixed',
  'fp16-mixed',
  'amp-bf16',
  'megatron-bf16',
  'fsdp-bf16',
  'fp8',
  'fp8-deepseek',
] as const;
export type PrecisionId = (typeof PRECISION_IDS)[number];

/** Built-in presets, with the copies each framework keeps. */
export const PRECISIONS = {
  fp32: {
    id: 'fp32',
    description: 'fp32 weights, gradients and states (4 + 4 + 8 = 16 B/param with AdamW)',
    source: 'PyTorch default dtype; torch/optim/adamw.py creates exp_avg/exp_avg_sq with zeros_like(param)',
    weightBytes: 4,
    masterBytes: 0,
    gradBytes: 4,
    stateBytes: 4,
    computeBytes: 4,
    computeCopyBytes: 0,
    computeDtype: 'f32',
    persistentGradients: false,
    megatronCore: false,
  },
  bf16: {
    id: 'bf16',
    description: 'pure bf16: weights, gradients and AdamW states all bf16 (2 + 2 + 4 = 8 B/param), no master copy',
    source: 'torchtune full_finetune_single_device with dtype=bf16 (model and torch.optim.AdamW states in bf16)',
    weightBytes: 2,
    masterBytes: 0,
    gradBytes: 2,
    stateBytes: 2,
    computeBytes: 2,
    computeCopyBytes: 0,
    computeDtype: 'bf16',
    persistentGradients: false,
    megatronCore: false,
  },
  fp16: {
    id: 'fp16',
    description: 'pure fp16 weights, gradients and states (8 B/param with AdamW); rarely stable',
    source: 'model.half() with torch.optim.AdamW (states follow the parameter dtype)',
    weightBytes: 2,
    masterBytes: 0,
    gradBytes: 2,
    stateBytes: 2,
    computeBytes: 2,
    computeCopyBytes: 0,
    computeDtype: 'f16',
    persistentGradients: false,
    megatronCore: false,
  },
  'bf16-mixed': {
    id: 'bf16-mixed',
    description: 'bf16 weights and gradients, fp32 master + fp32 Adam states (2 + 2 + 4 + 8 = 16 B/param)',
    source:
      'ZeRO paper (Rajbhandari et al. 2020, §3.1: 2Ψ + 2Ψ + KΨ with K = 12); DeepSpeed bf16/fp16 optimizer wrappers',
    weightBytes: 2,
    masterBytes: 4,
    gradBytes: 2,
    stateBytes: 4,
    computeBytes: 2,
    computeCopyBytes: 0,
    computeDtype: 'bf16',
    persistentGradients: false,
    megatronCore: false,
  },
  'fp16-mixed': {
    id: 'fp16-mixed',
    description: 'fp16 weights and gradients with loss scaling, fp32 master + Adam states (16 B/param)',
    source: 'Micikevicius et al. 2018 (mixed precision training); ZeRO paper §3.1',
    weightBytes: 2,
    masterBytes: 4,
    gradBytes: 2,
    stateBytes: 4,
    computeBytes: 2,
    computeCopyBytes: 0,
    computeDtype: 'f16',
    persistentGradients: false,
    megatronCore: false,
  },
  'amp-bf16': {
    id: 'amp-bf16',
    description:
      'PyTorch AMP autocast: fp32 weights, grads and states plus the bf16 weight cache (4 + 4 + 8 + 2 = 18 B/param)',
    source:
      'torch.autocast caches casts of leaf weights for the region (aten/src/ATen/autocast_mode.cpp cached_cast); HF Trainer bf16=True on an fp32-loaded model; HF "Model training anatomy" counts 18 B/param',
    weightBytes: 4,
    masterBytes: 0,
    gradBytes: 4,
    stateBytes: 4,
    computeBytes: 2,
    computeCopyBytes: 2,
    computeDtype: 'bf16',
    persistentGradients: false,
    megatronCore: false,
  },
  'megatron-bf16': {
    id: 'megatron-bf16',
    description:
      'Megatron-LM bf16: bf16 weights, fp32 main grads, fp32 master + states (2 + 4 + 4 + 8 = 18 B/param; 6 + 12/d with the distributed optimizer)',
    source:
      'Megatron-LM docs/source/api-guide/dist_optimizer.md (bf16 param, fp32 grads: 18 bytes); accumulate_allreduce_grads_in_fp32',
    weightBytes: 2,
    masterBytes: 4,
    gradBytes: 4,
    stateBytes: 4,
    computeBytes: 2,
    computeCopyBytes: 0,
    computeDtype: 'bf16',
    persistentGradients: true,
    megatronCore: true,
  },
  'fsdp-bf16': {
    id: 'fsdp-bf16',
    description:
      'FSDP MixedPrecision(param_dtype=bf16, reduce_dtype=fp32): sharded fp32 params are the master, fp32 grads, fp32 states (4 + 4 + 8 = 16 B/param) plus the gathered bf16 unit',
    source:
      'torch/distributed/fsdp MixedPrecision: sharded flat parameter keeps the original fp32 dtype; the unsharded bf16 copy lives only while its unit runs',
    weightBytes: 4,
    masterBytes: 0,
    gradBytes: 4,
    stateBytes: 4,
    computeBytes: 2,
    computeCopyBytes: 0,
    computeDtype: 'bf16',
    persistentGradients: false,
    megatronCore: false,
  },
  fp8: {
    id: 'fp8',
    description:
      'FP8 training (Transformer Engine + Megatron): bf16 weights, fp32 grads/master/states, plus fp8 weight and transpose copies (18 + 2 = 20 B/param)',
    source:
      'NVIDIA Transformer Engine Float8Tensor (fp8 data and cached transpose per weight); Megatron-LM --fp8-format',
    weightBytes: 2,
    masterBytes: 4,
    gradBytes: 4,
    stateBytes: 4,
    computeBytes: 2,
    computeCopyBytes: 2,
    computeDtype: 'bf16',
    persistentGradients: true,
    megatronCore: true,
  },
  'fp8-deepseek': {
    id: 'fp8-deepseek',
    description:
      'DeepSeek-V3 FP8 training: fp8 weights for GEMMs, fp32 master weights and gradients, AdamW moments in bf16 (1 + 4 + 4 + 2 + 2 = 13 B/param)',
    source:
      'DeepSeek-V3 Technical Report (arXiv:2412.19437) §3.3.3: BF16 AdamW moments, FP32 master weights and gradients',
    weightBytes: 1,
    masterBytes: 4,
    gradBytes: 4,
    stateBytes: 2,
    computeBytes: 2,
    computeCopyBytes: 0,
    computeDtype: 'bf16',
    persistentGradients: true,
    megatronCore: false,
  },
} as const satisfies Record<PrecisionId, PrecisionSpec>;
