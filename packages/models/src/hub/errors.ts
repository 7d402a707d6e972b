import { VramkitError, type VramkitErrorCode } from '@vramkit/core';

/** Hub error codes a {@link HubFetchError} carries. */
export type HubErrorCode = Extract<
  VramkitErrorCode,
  'HUB_NOT_FOUND' | 'HUB_UNAUTHORIZED' | 'HUB_RATE_LIMITED' | 'HUB_UNAVAILABLE' | 'HUB_TIMEOUT' | 'HUB_BAD_RESPONSE'
>;

/** What the caller needs to know about a failed Hub request. */
export interface HubFetchErrorInit {
  code: HubErrorCode;
  message: string;
  /** HTTP status, or undefined for a network failure or a timeout. */
  status?: number;
  /** `owner/name` of the repository asked for. */
  repo?: string;
  url?: string;
  /** The Hub's `X-Error-Code` header (`GatedRepo`, `RepoNotFound`, `EntryNotFound`, `RevisionNotFound`). */
  hubErrorCode?: string;
  /** Repository ids close to the one asked for (404 only). */
  suggestions?: readonly string[];
  cause?: unknown;
}

/**
 * The load options a message's remedy names, in backticks (`timeoutMs`, `offline`, `revision`): the
 * library says the option, never a CLI flag; a CLI maps each path to its own flag when it prints.
 */
function remedyPathsOf(message: string): string[] {
  return [...new Set([...message.matchAll(/`([A-Za-z][\w.]*)`/g)].map((m) => m[1]!))];
}

/**
 * A request to the Hugging Face Hub (or the endpoint in `HF_ENDPOINT`) failed after retries.
 * `code` says why: not found, unauthorized (gated or private), rate limited, unavailable, timeout,
 * or a response that is not what the Hub API returns.
 */
export class HubFetchError extends VramkitError {
  readonly status: number | undefined;
  readonly repo: string | undefined;
  readonly url: string | undefined;
  readonly hubErrorCode: string | undefined;
  readonly suggestions: readonly string[];
  /** Load options the message's remedy names (`timeoutMs`, `offline`, `revision`). */
  readonly remedyPaths: readonly string[];

  constructor(init: HubFetchErrorInit) {
    super(init.code, init.message, { path: 'model', cause: init.cause });
    this.name = 'HubFetchError';
    this.status = init.status;
    this.repo = init.repo;
    this.url = init.url;
    this.hubErrorCode = init.hubErrorCode;
    this.suggestions = init.suggestions ?? [];
    this.remedyPaths = remedyPathsOf(init.message);
  }
}

/** Offline (the `offline` option, or a failed connection with no cached copy): the model is neither cached nor in the catalogue. */
export class OfflineError extends VramkitError {
  readonly repo: string;
  /** Load options the message's remedy names (`offline`). */
  readonly remedyPaths: readonly string[];

  constructor(repo: string, detail: string, options: { cause?: unknown } = {}) {
    super('OFFLINE', `${repo}: ${detail}`, { path: 'model', cause: options.cause });
    this.name = 'OfflineError';
    this.repo = repo;
    this.remedyPaths = remedyPathsOf(detail);
  }
}

/** A file header (safetensors, GGUF) or a JSON body could not be parsed, or broke a size limit. */
export class ModelParseError extends VramkitError {
  /** The file that failed, e.g. `model-00001-of-00004.safetensors`. */
  readonly file: string;

  constructor(file: string, detail: string, options: { cause?: unknown } = {}) {
    super('PARSE_ERROR', `${file}: ${detail}`, { path: 'model', cause: options.cause });
    this.name = 'ModelParseError';
    this.file = file;
  }
}
