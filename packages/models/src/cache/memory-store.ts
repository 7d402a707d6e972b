import type { CacheEntryInfo, CacheKey, CacheStore } from './cache-store.js';

/**
 * A {@link CacheStore} in memory: the default in browsers and for tests.
 * @returns a store whose values live as long as the object
 */
export function createMemoryCacheStore(): CacheStore {
  const map = new Map<string, { key: CacheKey; value: Uint8Array; modified: Date }>();
  const id = (k: CacheKey) => JSON.stringify([k.repo, k.revision, k.file]);
  return {
    async get(key) {
      return map.get(id(key))?.value;
    },
    async set(key, value) {
      map.set(id(key), { key: { ...key }, value: value.slice(), modified: new Date() });
    },
    async list() {
      return [...map.values()].map(
        (e): CacheEntryInfo => ({ ...e.key, bytes: e.value.byteLength, modified: e.modified }),
      );
    },
    async clear(filter) {
      let n = 0;
      for (const [k, e] of map) {
        if (!filter?.repo || e.key.repo === filter.repo) {
          map.delete(k);
          n++;
        }
      }
      return n;
    },
  };
}
