export { CATALOGUE_VERSION, catalogueModel, findInCatalogue, listCatalogue } from './catalogue/catalogue.js';
export type { CatalogueEntry } from './catalogue/catalogue-entry.js';
export { suggest } from './catalogue/suggest.js';
export { NoSuchModelError } from './errors/no-such-model-error.js';
export { ConfigReader, type RawConfig } from './normalize/config-fields.js';
export { type ConfigFamily, configFamilies, familyFor, knownModelTypes } from './normalize/families/index.js';
export { type NormalizedConfig, type NormalizeOptions, normalizeConfig } from './normalize/normalize-config.js';
