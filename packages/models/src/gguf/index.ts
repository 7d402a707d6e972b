export { chooseGgufFiles, type GgufChoice, groupGgufFiles } from './choose-gguf.js';
export { ggufToConfig } from './gguf-config.js';
export { GGUF_SHARD_RE, ggufFileTypeName, quantLabelOfFile } from './gguf-file-type.js';
export { ggufNameFor, ggufTensor, isGgufDerivedTensor } from './gguf-tensors.js';
export { listGgufFiles } from './list-gguf-files.js';
export {
  type GgufInventory,
  type GgufMetadata,
  ggufInventoryFrom,
  mergeGgufInventories,
  readGgufHeader,
} from './read-gguf.js';
