export {
  MAX_SAFETENSORS_ENTRIES,
  MAX_SAFETENSORS_HEADER_BYTES,
  parseSafetensorsHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
  safetensorsHeaderLength,
} from './parse-header.js';
export {
  inventoryFromHeaders,
  pickSafetensorsFiles,
  readSafetensorsHeader,
  readSafetensorsInventory,
  type SafetensorsInventory,
} from './read-safetensors.js';
export { classifyTensor, isNonTextTensor } from './tensor-roles.js';
