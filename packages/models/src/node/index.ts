export { createFsCacheStore, defaultCacheDir } from './fs-cache-store.js';
export { loadLocalGguf, type ResolveModelOptions, resolveModelArgument } from './resolve-model-argument.js';
