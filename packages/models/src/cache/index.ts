export { CacheDirError } from './cache-dir-error.js';
export { cacheEntryPath, decodeCachePart, encodeCachePart } from './cache-key.js';
export type { CacheEntryInfo, CacheKey, CacheStore } from './cache-store.js';
export { createMemoryCacheStore } from './memory-store.js';
