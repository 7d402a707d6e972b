const marker = Symbol.for('vramkit.error');

/** Stable machine-readable error codes. Never renamed once published. */
export type VramkitErrorCode =
  | 'INVALID_INPUT'
  | 'CONFIG_VALIDATION'
  | 'UNSUPPORTED_ARCHITECTURE'
  | 'NO_SUCH_FORMAT'
  | 'NO_SUCH_MODEL'
  | 'NO_SUCH_GPU'
  | 'DOES_NOT_FIT'
  | 'HUB_NOT_FOUND'
  | 'HUB_UNAUTHORIZED'
  | 'HUB_RATE_LIMITED'
  | 'HUB_UNAVAILABLE'
  | 'HUB_TIMEOUT'
  | 'HUB_BAD_RESPONSE'
  | 'OFFLINE'
  | 'CACHE_UNUSABLE'
  | 'PARSE_ERROR';

export interface VramkitErrorOptions {
  /** Dotted path of the offending field, e.g. `workload.tokens` or `config.num_key_value_heads`. */
  path?: string;
  cause?: unknown;
}

/**
 * Base class of every error vramkit throws. `code` is stable; `path` names the offending field.
 * Use {@link VramkitError.isInstance} rather than `instanceof`: a plugin may bring a second copy of core.
 */
export class VramkitError extends Error {
  readonly code: VramkitErrorCode;
  readonly path: string | undefined;
  readonly [marker] = true;

  constructor(code: VramkitErrorCode, message: string, options: VramkitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VramkitError';
    this.code = code;
    this.path = options.path;
  }

  /** True for any vramkit error, from this or another copy of `@vramkit/core`. */
  static isInstance(value: unknown): value is VramkitError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}
