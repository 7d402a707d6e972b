import { VramkitError } from '@vramkit/core';
import type { CacheKey, CacheStore } from '../cache/cache-store.js';
import { readGgufHeader, type GgufInventory } from '../gguf/read-gguf.js';
import { readSafetensorsInventory, type SafetensorsInventory } from '../safetensors/read-safetensors.js';
import type { HubClient, HubModelInfo } from './hub-client.js';
import { parseJsonObject, parseJsonSafe } from './safe-json.js';

/** Thrown inside a cache-only load when an item is not cached; the loader then tries the catalogue. */
export class CacheMiss extends Error {
  constructor(readonly key: CacheKey) {
    super(`not cached: ${key.repo}@${key.revision}/${key.file}`);
  }
}

// GGUF headers are read in the 2,000,000-byte chunks of @huggingface/gguf (src/gguf.ts HTTP_CHUNK_SIZE).
const GGUF_CHUNK_BYTES = 2_000_000;

/**
 * The files of one repository, read through the cache: online, immutable items (keyed by commit
 * sha) come from the cache when present and are stored after fetching; offline (`cacheOnly`), a
 * missing item throws {@link CacheMiss}.
 */
export class ModelFiles {
  /** Files and APIs read, for `ModelSpec.source.files`. */
  readonly read: string[] = [];
  /** True while every item so far came from the cache. */
  allFromCache = true;

  constructor(
    readonly client: HubClient,
    readonly repo: string,
    readonly revision: string,
    readonly cache: CacheStore | undefined,
    readonly cacheOnly: boolean,
  ) {}

  private async cached<T>(key: CacheKey, fetchValue: () => Promise<T>, options: { alwaysFetch?: boolean } = {}): Promise<T> {
    if (this.cache && (this.cacheOnly || !options.alwaysFetch)) {
      const hit = await this.cache.get(key).catch(() => undefined);
      if (hit) {
        try {
          return parseJsonSafe(hit, key.file) as T;
        } catch {
          // A corrupt entry is refetched (or reported as a miss offline).
        }
      }
    }
    if (this.cacheOnly) throw new CacheMiss(key);
    this.allFromCache = false;
    const value = await fetchValue();
    await this.cache?.set(key, new TextEncoder().encode(JSON.stringify(value))).catch(() => undefined);
    return value;
  }

  /** Model info for the requested revision (always refetched online: a branch moves). */
  info(): Promise<HubModelInfo> {
    this.read.push(`/api/models/${this.repo}`);
    return this.cached({ repo: this.repo, revision: this.revision, file: 'vramkit/model-info.json' }, () => this.client.modelInfo(this.repo, this.revision === 'main' ? undefined : this.revision), {
      alwaysFetch: true,
    });
  }

  /** config.json at a commit. */
  config(sha: string): Promise<Record<string, unknown>> {
    this.read.push('config.json');
    return this.cached({ repo: this.repo, revision: sha, file: 'config.json' }, () => this.client.fileJson(this.repo, 'config.json', sha)).then((c) =>
      parseJsonObject(JSON.stringify(c), 'config.json'),
    );
  }

  /** Safetensors inventory at a commit (range reads of every shard's header). */
  safetensors(sha: string, files: readonly string[], mtpFrom: number | undefined): Promise<SafetensorsInventory> {
    this.read.push('*.safetensors headers');
    return this.cached({ repo: this.repo, revision: sha, file: `vramkit/safetensors-inventory${mtpFrom === undefined ? '' : `-mtp${mtpFrom}`}.json` }, () =>
      readSafetensorsInventory(this.client, this.repo, files, { revision: sha, ...(mtpFrom === undefined ? {} : { mtpFrom }) }),
    );
  }

  /** One GGUF file's header at a commit. */
  gguf(sha: string, file: string): Promise<GgufInventory> {
    this.read.push(file);
    return this.cached({ repo: this.repo, revision: sha, file: `vramkit/gguf/${file}.json` }, () =>
      readGgufHeader(this.client.fileUrl(this.repo, file, sha), this.client.transport.fetchFor('gguf-header', this.repo, file, GGUF_CHUNK_BYTES), file),
    );
  }
}

/** True for failures where the cache or the catalogue should answer instead (network down, Hub down, timeout). */
export function isUnreachable(e: unknown): boolean {
  return VramkitError.isInstance(e) && (e.code === 'HUB_UNAVAILABLE' || e.code === 'HUB_TIMEOUT' || e.code === 'HUB_RATE_LIMITED');
}
