import { VramkitError } from '@vramkit/core';

/**
 * The cache directory cannot be used as vramkit's cache: it holds files vramkit did not write (no
 * marker file), it is not a directory, or it cannot be read or written. Nothing in it is deleted.
 */
export class CacheDirError extends VramkitError {
  /** The directory concerned. */
  readonly dir: string;
  /** Why it cannot be used, one short phrase. */
  readonly reason: string;

  constructor(dir: string, reason: string, options: { cause?: unknown } = {}) {
    super(
      'CACHE_UNUSABLE',
      `Refusing to use ${dir} as the vramkit cache: ${reason}. Nothing was deleted. Point VRAMKIT_CACHE_DIR at an empty or new folder.`,
      {
        path: 'cache.dir',
        cause: options.cause,
      },
    );
    this.name = 'CacheDirError';
    this.dir = dir;
    this.reason = reason;
  }
}

/** A cache entry failed its checksum or its validation: the caller refetches it, or reports it offline. */
export class CacheEntryError extends VramkitError {
  readonly key: { repo: string; revision: string; file: string };

  constructor(
    key: { repo: string; revision: string; file: string },
    reason: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      'CACHE_UNUSABLE',
      `The cached ${key.file} of ${key.repo}@${key.revision.slice(0, 12)} is unusable: ${reason}.`,
      { path: 'cache.entry', cause: options.cause },
    );
    this.name = 'CacheEntryError';
    this.key = { ...key };
  }
}
