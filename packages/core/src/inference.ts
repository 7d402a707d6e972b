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
} from './memory/activations.js';
export { KV_DTYPE_IDS, KV_DTYPES, type KvDtype } from './model/dtypes.js';
export {
  DEFAULT_CONTEXT_TOKENS,
  estimateInference,
  type InferenceEstimate,
  type InferenceOptions,
  type InferenceWorkload,
  InferenceWorkloadSchema,
  type ResolvedInferenceWorkload,
} from './inference/estimate-inference.js';
export { type KvCacheBreakdown, type KvCacheOptions, kvCacheBytes } from './memory/kv-cache.js';
export { DEFAULT_OVERHEAD, type OverheadOptions, overheadBytes } from './memory/overhead.js';
export { isPreparedModel, type PreparedModel, prepareModel } from './model/prepare-model.js';
export { storedFormat } from './model/stored-format.js';
export { plainFormats, type WeightFormat } from './formats/weight-format.js';
