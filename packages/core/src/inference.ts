/**
 * `@vramkit/core/inference`: memory to run a model for inference — the estimate, its workload
 * schema and the parts it sums (KV cache, activations, overhead), with the model value it takes.
 * Everything here is also exported from `@vramkit/core`.
 */
export {
  type InferenceActivationOptions,
  inferenceActivationBytes,
  type NaiveAttentionShape,
  naiveAttentionScoreBytes,
} from './activations.js';
export { KV_DTYPE_IDS, KV_DTYPES, type KvDtype } from './dtypes.js';
export {
  DEFAULT_CONTEXT_TOKENS,
  estimateInference,
  type InferenceEstimate,
  type InferenceOptions,
  type InferenceWorkload,
  InferenceWorkloadSchema,
  type ResolvedInferenceWorkload,
} from './estimate-inference.js';
export { type KvCacheBreakdown, type KvCacheOptions, kvCacheBytes } from './kv-cache.js';
export { DEFAULT_OVERHEAD, type OverheadOptions, overheadBytes } from './overhead.js';
export { isPreparedModel, type PreparedModel, prepareModel } from './prepare-model.js';
export { storedFormat } from './stored-format.js';
export { plainFormats, type WeightFormat } from './weight-format.js';
