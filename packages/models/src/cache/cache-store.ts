/** Identifies one cached item: a file (or a derived record) of a repository at a revision. */
export interface CacheKey {
  /** `owner/name`. */
  repo: string;
  /** Branch, tag or commit sha as requested (`main`) or resolved (a sha). */
  revision: string;
  /** File path in the repository, or a derived record such as `vramkit/safetensors-inventory.json`. */
  file: string;
}

/** A cached item with its size, for `vramkit cache list`. */
export interface CacheEntryInfo extends CacheKey {
  bytes: number;
  /** Last write, when the store knows it. */
  modified?: Date;
}

/**
 * Where loaded Hub responses are kept. `@vramkit/models` ships an in-memory store (browsers,
 * tests) and, from `@vramkit/models/node`, a directory store under the XDG cache dir.
 * Implementations must make `set` atomic: a reader never sees half a value.
 */
export interface CacheStore {
  get(key: CacheKey): Promise<Uint8Array | undefined>;
  set(key: CacheKey, value: Uint8Array): Promise<void>;
  list(): Promise<CacheEntryInfo[]>;
  /**
   * Deletes entries, all of them or one repository's.
   * @returns the number of entries deleted
   */
  clear(filter?: { repo?: string }): Promise<number>;
}
