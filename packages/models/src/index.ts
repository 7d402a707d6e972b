export { CATALOGUE_VERSION, catalogueModel, findInCatalogue, listCatalogue } from './catalogue/catalogue.js';
export type { CatalogueEntry } from './catalogue/catalogue-entry.js';
export { suggest } from './catalogue/suggest.js';
export { NoSuchModelError } from './errors/no-such-model-error.js';
export { ConfigReader, type RawConfig } from './normalize/config-fields.js';
export { type ConfigFamily, configFamilies, familyFor, knownModelTypes } from './normalize/families/index.js';
export { type NormalizedConfig, type NormalizeOptions, normalizeConfig } from './normalize/normalize-config.js';
export { type CacheEntryInfo, type CacheKey, type CacheStore, createMemoryCacheStore, decodeCachePart, encodeCachePart } from './cache/index.js';
export {
  chooseGgufFiles,
  type GgufChoice,
  type GgufInventory,
  ggufToConfig,
  groupGgufFiles,
  listGgufFiles,
  quantLabelOfFile,
  readGgufHeader,
} from './gguf/index.js';
export {
  HubClient,
  type HubErrorCode,
  HubFetchError,
  type HubModelInfo,
  type HubOptions,
  type HubStats,
  isRepoId,
  type LoadProgress,
  ModelParseError,
  OfflineError,
  resolveHubOptions,
} from './hub/index.js';
export { type LoadModelOptions, loadModel, specFromConfig } from './load-model.js';
export { type ModelQuantization, type ModelSource, type ModelSpec, type ParameterSources, preparedModelOf } from './model-spec.js';
export { classifyTensor, parseSafetensorsHeader, readSafetensorsInventory, type SafetensorsInventory } from './safetensors/index.js';
export { storedFormat, storedTensorBytes } from './stored-format.js';
