export { type AwqOptions, awqFamily, awqFormat } from './awq.js';
export { BNB_4BIT_BLOCKSIZE, BNB_NESTED_BLOCKSIZE, type Bnb4bitOptions, bnb4bitBytes, bnb4bitFormat, bnbInt8Format } from './bitsandbytes.js';
export { builtinFormats } from './builtin-formats.js';
export {
  chooseWeightFormat,
  chooseWeightFormats,
  createFormatSetup,
  type FormatChoice,
  type FormatChoiceInput,
  type FormatSetup,
  splitFormatList,
} from './choose-format.js';
export { type CompressedTensorsScheme, compressedTensorsFormat } from './compressed-tensors.js';
export { assertTensorShape, defineWeightFormat, type WeightFormatSpec } from './define-weight-format.js';
export {
  type DetectedFormat,
  formatFromQuantizationConfig,
  KNOWN_QUANT_METHODS,
  type QuantizationConfig,
  type QuantizationConfigDetector,
} from './detect.js';
export { type ExllamaOptions, exl2Family, exl3Family, exllamaFormat } from './exllama.js';
export { type Fp8Options, type Fp8Scaling, fp8Format } from './fp8.js';
export { GGUF_ALIGNMENT, type GgufMetadataOptions, ggufFileBytes, ggufMetadataBytes } from './gguf-file-size.js';
export { type GgufFormatContext, ggmlPureFormat, llamaFileTypeFormat, llamaFileTypeFormats } from './gguf-formats.js';
export { type GgufRecipeFacts, ggufQuantizable, ggufRecipeFacts, ggufTensorType } from './gguf-recipe.js';
export { type GptqOptions, gptqFamily, gptqFormat } from './gptq.js';
export { type HqqOptions, hqqFamily, hqqFormat } from './hqq.js';
export { isQuantizedLinear, type LinearDims, linearDims } from './linear-weights.js';
export { findLlamaFileType, LLAMA_FILE_TYPES, type LlamaFileType, type LlamaFileTypeName } from './llama-file-types.js';
export { MXFP4_BLOCK, mxfp4Format } from './mxfp4.js';
export { LISTING_REFERENCE_TENSOR, type QuantListingRow, quantListing } from './quant-listing.js';
export {
  createFormatRegistry,
  type FormatEntry,
  type FormatRegistry,
  isFormatFamily,
  parseFormatParams,
  type WeightFormatFamily,
} from './registry.js';
