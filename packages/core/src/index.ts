export { type AttentionKernelShape, attentionForwardBytes } from './memory/attention-memory.js';
export {
  type Architecture,
  type AttentionSpec,
  type DenseMlpSpec,
  isSoftmaxAttention,
  type LayerSpec,
  type LinearAttentionSpec,
  type MambaMixerSpec,
  type MlaSpec,
  type MlpSpec,
  type MoeMlpSpec,
  type SoftmaxAttentionSpec,
} from './model/architecture.js';
export {
  type ArchitectureSize,
  type ArchitectureSizeField,
  ArchitectureSchema,
  architectureSize,
  validateArchitecture,
} from './architecture-schema.js';
export { type Breakdown, type BreakdownPart, part, sumParts } from './memory/breakdown.js';
export {
  type BlockLayout,
  KV_DTYPE_IDS,
  KV_DTYPES,
  type KvDtype,
  kvDtypeLayout,
  normalizeDtypeName,
  PLAIN_DTYPES,
  type PlainDtype,
  plainDtypeLayout,
  rowBytes,
  SAFETENSORS_ONLY_DTYPE_BYTES,
} from './model/dtypes.js';
export {
  ConfigValidationError,
  type InputIssue,
  InvalidInputError,
  NoSuchFormatError,
  UnsupportedArchitectureError,
  VramkitError,
  type VramkitErrorCode,
  type VramkitErrorOptions,
} from './errors/index.js';
export {
  findGgmlType,
  GGML_TYPES,
  type GgmlTypeLayout,
  type GgmlTypeName,
  ggmlBitsPerWeight,
  ggmlTensorBytes,
  ggmlTypeLayout,
  QK_K,
} from './model/ggml-types.js';
export { type LayerClass, layerClasses } from './model/layer-classes.js';
export {
  countParameters,
  type ParameterBreakdown,
  type ParameterCategory,
  parameterCategory,
} from './model/parameters.js';
export {
  isPreparedModel,
  type ModelOrigin,
  type PreparedModel,
  type PreparedModelMemo,
  type PrepareModelOptions,
  prepareModel,
  type StoredQuantization,
} from './model/prepare-model.js';
export { storedFormat, storedTensorBytes } from './model/stored-format.js';
export { synthesizeTensors } from './model/synthesize-tensors.js';
export { inFeatures, type Tensor, type TensorRole, tensorElements } from './model/tensor.js';
export { formatCount, formatGB, formatGiB, GB, GIB, MIB, parseBytes } from './memory/units.js';
export {
  excerpt,
  INPUT_LIMITS,
  type InputLimitKind,
  PARSE_TIME_BUDGET_MS,
  type ParseClock,
  ParseTimeBudgetError,
  parseClock,
  parseOrThrow,
} from './validate.js';
export {
  type FormatContext,
  isQuantizableWeight,
  plainFormats,
  type TensorBytes,
  type WeightBytesBreakdown,
  type WeightFormat,
  weightBytes,
} from './formats/weight-format.js';
// The inference subpath's exports; the explicit lists above add what only the root exports.
export * from './inference.js';
export * from './serving/index.js';
export * from './training/index.js';
