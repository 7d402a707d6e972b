import { type InferenceEstimate, type InferenceOptions, estimateInference } from '../inference/estimate-inference.js';
import { plainFormats } from '../formats/weight-format.js';
import { prepared } from './devices.js';
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
 * What a transformers `generate()` holds: weights, the dynamic KV cache for context × batch, the
 * prefill peak and the CUDA context — core's {@link estimateInference}. `generate()` asks the model for
 * the last position's logits only (generation/utils.py passes `logits_to_keep=1` to models that take it),
 * so one row per sequence by default; `logits: 'all'` is a plain forward over the prompt (fp32 logits for
 * every token). A GGUF file is dequantized when transformers loads it (integrations/ggml.py), so its
 * weights count in the compute dtype (bf16), not as stored.
 * @param options the workload (context, batch, dtypes, attention) and the GPUs
 * @returns the breakdown, the pooled capacity and whether it fits
 * @throws InvalidInputError from {@link estimateInference}
 */
export function transformersMemory(options: TransformersOptions): TransformersEstimate {
  const { gpus, ...inference } = options;
  const model = prepared(inference.model);
  const dequantized = inference.format?.id === 'stored' && model.inventorySource === 'gguf';
  const r = estimateInference({ logits: 'last', ...inference, ...(dequantized ? { format: plainFormats.bf16 } : {}) });
  const capacityBytes = gpus.reduce((s, g) => s + gpuCapacityBytes(g), 0);
  const assumptions = [...r.assumptions];
  if (dequantized)
    assumptions.push(
      'transformers dequantizes a GGUF file when it loads it: weights in bf16 (torch_dtype), not as stored',
    );
  if (inference.logits === undefined)
    assumptions.push(
      'generate(): logits for the last position only (logits_to_keep=1); --logits all for a plain forward over the prompt',
    );
  if (gpus.length > 1)
    assumptions.push(`device_map="auto" over ${gpus.length} GPUs: checked against their summed memory`);
  return { ...r, assumptions, engine: 'transformers', capacityBytes, fits: r.total <= capacityBytes };
}
