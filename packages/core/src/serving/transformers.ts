import { type InferenceEstimate, type InferenceOptions, estimateInference } from '../estimate-inference.js';
import { type GpuSpec, gpuCapacityBytes } from './gpus.js';

/** transformers / PyTorch settings: an {@link InferenceOptions} workload on one or more GPUs. */
export interface TransformersOptions extends InferenceOptions {
  /** GPUs; with several, `device_map="auto"` spreads layers over them and the check is against their sum. */
  gpus: readonly GpuSpec[];
}

/** Result of {@link transformersMemory}: the inference breakdown with the capacity check. */
export interface TransformersEstimate extends InferenceEstimate {
  engine: 'transformers';
  capacityBytes: number;
  fits: boolean;
}

/**
 * What a plain transformers `generate()` holds: weights, the dynamic KV cache for context × batch, the
 * prefill peak (fp32 logits over the whole prompt: `logits.float()` in LlamaForCausalLM.forward) and the
 * CUDA context — core's {@link estimateInference} with `logits: 'all'` unless told otherwise.
 * @param options the workload (context, batch, dtypes, attention) and the GPUs
 * @returns the breakdown, the pooled capacity and whether it fits
 * @throws InvalidInputError from {@link estimateInference}
 */
export function transformersMemory(options: TransformersOptions): TransformersEstimate {
  const { gpus, ...inference } = options;
  const r = estimateInference({ logits: 'all', ...inference });
  const capacityBytes = gpus.reduce((s, g) => s + gpuCapacityBytes(g), 0);
  const assumptions = [...r.assumptions];
  if (gpus.length > 1) assumptions.push(`device_map="auto" over ${gpus.length} GPUs: checked against their summed memory`);
  return { ...r, assumptions, engine: 'transformers', capacityBytes, fits: r.total <= capacityBytes };
}
