export { CacheDirError, CacheEntryError } from '../cache/cache-dir-error.js';
export { CACHE_MARKER_FILE, createFsCacheStore, defaultCacheDir } from './fs-cache-store.js';
export { loadLocalGguf, type ResolveModelOptions, resolveModelArgument } from './resolve-model-argument.js';
