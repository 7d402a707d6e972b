import { excerpt, INPUT_LIMITS, VramkitError } from '@vramkit/core';
import type { CacheKey, CacheStore } from '../cache/cache-store.js';
import { normalizeGgufConfig } from '../gguf/gguf-config.js';
import { readGgufHeader, type GgufInventory } from '../gguf/read-gguf.js';
import { normalizeConfig } from '../normalize/normalize-config.js';
import { readSafetensorsInventory, type SafetensorsInventory } from '../safetensors/read-safetensors.js';
import type { HubClient, HubModelInfo } from './hub-client.js';
import { parseJsonObject, parseJsonSafe } from './safe-json.js';

/** Thrown inside a cache-only load when an item is not cached; the loader then tries the catalogue. */
export class CacheMiss extends Error {
  constructor(
    readonly key: CacheKey,
    /** Why a present entry was not used (checksum or validation), when it was present. */
    readonly corrupt?: string,
  ) {
    super(`not cached: ${key.repo}@${key.revision}/${key.file}`);
  }
}

/** Throws unless `ok`; the message says what a cached value lacks. */
function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(what);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const safeCount = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** A cached model info is checked as a fresh one would be: strings where strings belong, bounded lists. */
export function validateCachedInfo(v: unknown): HubModelInfo {
  check(isObj(v), 'not an object');
  check(typeof v.id === 'string' && v.id.length <= 256, 'id');
  check(
    Array.isArray(v.files) &&
      v.files.length <= 1_000_000 &&
      v.files.every((f) => typeof f === 'string' && f.length <= 4096),
    'files',
  );
  check(v.sha === undefined || (typeof v.sha === 'string' && /^[0-9a-f]{40}$/.test(v.sha)), 'sha');
  check(v.gated === false || v.gated === 'auto' || v.gated === 'manual', 'gated');
  if (v.safetensors !== undefined) check(isObj(v.safetensors) && safeCount(v.safetensors.total), 'safetensors.total');
  return v as unknown as HubModelInfo;
}

/** Tensors read back from the cache obey the same bounds as tensors read from a header. */
function validateTensors(v: unknown): void {
  check(Array.isArray(v) && v.length <= 1_000_000, 'tensors');
  for (const t of v) {
    check(
      isObj(t) &&
        typeof t.name === 'string' &&
        t.name.length <= 4096 &&
        typeof t.role === 'string' &&
        typeof t.kind === 'string',
      'tensor name/role/kind',
    );
    check(Array.isArray(t.shape) && t.shape.length <= 8 && t.shape.every(safeCount), `tensor ${excerpt(t.name)} shape`);
    check(
      Number.isSafeInteger(t.shape.reduce((a: number, b: number) => a * b, 1)),
      `tensor ${excerpt(t.name)} elements`,
    );
    check(
      t.layer === undefined || (safeCount(t.layer) && (t.layer as number) < INPUT_LIMITS.layers.max),
      `tensor ${excerpt(t.name)} layer`,
    );
    check(t.dtype === undefined || typeof t.dtype === 'string', `tensor ${excerpt(t.name)} dtype`);
  }
}

/** A cached safetensors inventory, checked like a fresh one. */
export function validateCachedSafetensors(v: unknown): SafetensorsInventory {
  check(isObj(v), 'not an object');
  validateTensors(v.tensors);
  check(safeCount(v.total) && safeCount(v.nonText) && Array.isArray(v.files) && isObj(v.byDtype), 'totals');
  return v as unknown as SafetensorsInventory;
}

/** A cached GGUF inventory, checked like a fresh one. */
export function validateCachedGguf(v: unknown): GgufInventory {
  check(isObj(v), 'not an object');
  validateTensors(v.tensors);
  check(typeof v.architecture === 'string' && v.architecture.length <= INPUT_LIMITS.nameChars.max, 'architecture');
  check(isObj(v.metadata), 'metadata');
  check(safeCount(v.dataBytes) && safeCount(v.parameters), 'dataBytes/parameters');
  check(
    Array.isArray(v.tensorBytes) &&
      v.tensorBytes.length === (v.tensors as unknown[]).length &&
      v.tensorBytes.every(safeCount),
    'tensorBytes',
  );
  normalizeGgufConfig(v as unknown as GgufInventory);
  return v as unknown as GgufInventory;
}

// A cached config is normalized as a fresh one is: a value that would be refused when fetched
// (num_hidden_layers 1e9) makes the entry invalid, so it is fetched again rather than trusted.
const validateCachedConfig = (v: unknown): Record<string, unknown> => {
  check(isObj(v), 'not an object');
  normalizeConfig(v, { allowUnknown: true });
  return v;
};

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
    /** Where notices go (a corrupt entry refetched, a cache that cannot be written). */
    readonly notices: string[] = [],
  ) {}

  /** Set once a write failed: the cache is then not written again in this load. */
  private cacheBroken = false;

  private async cached<T>(
    key: CacheKey,
    fetchValue: () => Promise<T>,
    validate: (v: unknown) => T,
    options: { alwaysFetch?: boolean } = {},
  ): Promise<T> {
    let corrupt: string | undefined;
    if (this.cache && (this.cacheOnly || !options.alwaysFetch)) {
      let hit: Uint8Array | undefined;
      try {
        hit = await this.cache.get(key);
      } catch (e) {
        corrupt = e instanceof Error ? e.message : String(e);
      }
      if (hit) {
        // Validated like fresh input: an entry that parses but holds the wrong shape is not trusted.
        try {
          return validate(parseJsonSafe(hit, key.file));
        } catch (e) {
          corrupt = `the cached ${key.file} of ${key.repo} does not hold a valid value (${excerpt(e instanceof Error ? e.message : String(e))})`;
        }
      }
      if (corrupt) this.notices.push(`${corrupt}${this.cacheOnly ? '' : '; fetched it again'}`);
    }
    if (this.cacheOnly) throw new CacheMiss(key, corrupt);
    this.allFromCache = false;
    const value = await fetchValue();
    if (this.cache && !this.cacheBroken) {
      try {
        await this.cache.set(key, new TextEncoder().encode(JSON.stringify(value)));
      } catch (e) {
        // A read-only, foreign or missing cache directory: go on without a cache, and say so once.
        this.cacheBroken = true;
        this.notices.push(`not caching: ${excerpt(e instanceof Error ? e.message : String(e), 240)}`);
      }
    }
    return value;
  }

  /** Model info for the requested revision (always refetched online: a branch moves). */
  info(): Promise<HubModelInfo> {
    this.read.push(`/api/models/${this.repo}`);
    return this.cached(
      { repo: this.repo, revision: this.revision, file: 'vramkit/model-info.json' },
      () => this.client.modelInfo(this.repo, this.revision === 'main' ? undefined : this.revision),
      validateCachedInfo,
      { alwaysFetch: true },
    );
  }

  /** config.json at a commit. */
  config(sha: string): Promise<Record<string, unknown>> {
    this.read.push('config.json');
    return this.cached(
      { repo: this.repo, revision: sha, file: 'config.json' },
      () => this.client.fileJson(this.repo, 'config.json', sha),
      validateCachedConfig,
    ).then((c) => parseJsonObject(JSON.stringify(c), 'config.json'));
  }

  /** Safetensors inventory at a commit (range reads of every shard's header). */
  safetensors(sha: string, files: readonly string[], mtpFrom: number | undefined): Promise<SafetensorsInventory> {
    this.read.push('*.safetensors headers');
    return this.cached(
      {
        repo: this.repo,
        revision: sha,
        file: `vramkit/safetensors-inventory${mtpFrom === undefined ? '' : `-mtp${mtpFrom}`}.json`,
      },
      () =>
        readSafetensorsInventory(this.client, this.repo, files, {
          revision: sha,
          ...(mtpFrom === undefined ? {} : { mtpFrom }),
        }),
      validateCachedSafetensors,
    );
  }

  /** One GGUF file's header at a commit. */
  gguf(sha: string, file: string): Promise<GgufInventory> {
    this.read.push(file);
    return this.cached(
      { repo: this.repo, revision: sha, file: `vramkit/gguf/${file}.json` },
      () =>
        readGgufHeader(
          this.client.fileUrl(this.repo, file, sha),
          this.client.transport.fetchFor('gguf-header', this.repo, file, GGUF_CHUNK_BYTES),
          file,
          { parseTimeBudgetMs: this.client.options.parseTimeBudgetMs },
        ),
      validateCachedGguf,
    );
  }
}

/** True for failures where the cache or the catalogue should answer instead (network down, Hub down, timeout). */
export function isUnreachable(e: unknown): boolean {
  return (
    VramkitError.isInstance(e) &&
    (e.code === 'HUB_UNAVAILABLE' || e.code === 'HUB_TIMEOUT' || e.code === 'HUB_RATE_LIMITED')
  );
}
