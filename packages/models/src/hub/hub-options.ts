import { InvalidInputError, PARSE_TIME_BUDGET_MS } from '@vramkit/core';

/** Progress of a load, for a CLI spinner or a browser progress bar. */
export interface LoadProgress {
  /** What is happening now: `model-info`, `config`, `safetensors-header`, `gguf-header`, `file-list`. */
  step: string;
  /** The file or API path being fetched. */
  file?: string;
  /** Requests finished so far in this load. */
  requests: number;
  /** Bytes received so far in this load. */
  bytes: number;
}

/** How to reach the Hub. Every field has a default; `env` supplies `HF_ENDPOINT` and `HF_TOKEN`. */
export interface HubOptions {
  /** Hub base URL. Default: `env.HF_ENDPOINT`, else `https://huggingface.co`. */
  endpoint?: string;
  /** Access token for gated or private repositories. Default: `env.HF_TOKEN`. */
  token?: string;
  /** Environment to read `HF_ENDPOINT`/`HF_TOKEN` from. Default: `process.env` where it exists (Node), else none. */
  env?: Record<string, string | undefined>;
  /** Milliseconds one attempt may take, headers and body together. Default 20,000 (clamped to Node's timer limit, 2^31 − 1). */
  timeoutMs?: number;
  /**
   * Milliseconds all requests of one load may take together, retries and waits included, so a Hub that
   * accepts connections and never answers ends the load in under a minute. Default 55,000, or
   * `timeoutMs` when that is longer.
   */
  totalTimeoutMs?: number;
  /** Extra attempts after a 429, a 5xx, a network error or a timeout. Default 3. */
  retries?: number;
  /** First backoff delay in milliseconds, doubled on each retry (a `Retry-After` header wins, up to 30 s). Default 500. */
  retryBaseMs?: number;
  /** The fetch implementation (tests, proxies). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Cancels every request of the load. */
  signal?: AbortSignal;
  /** Called after each request and at each step. */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Wall-clock budget of each parse (config.json, a safetensors or GGUF header), beside its byte budget;
   * network waits are not counted. Default core's `PARSE_TIME_BUDGET_MS` (10,000 ms); `Infinity` turns it off.
   */
  parseTimeBudgetMs?: number;
}

/** {@link HubOptions} with every default applied. */
export interface ResolvedHubOptions {
  endpoint: string;
  token: string | undefined;
  timeoutMs: number;
  totalTimeoutMs: number;
  retries: number;
  retryBaseMs: number;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  onProgress: ((progress: LoadProgress) => void) | undefined;
  parseTimeBudgetMs: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
// Three attempts of 20 s with backoff fit; a hung Hub ends the load before a minute has passed.
const DEFAULT_TOTAL_TIMEOUT_MS = 55_000;
/** The longest delay Node's timers take (a larger one fires at once, so every request would fail). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

function clampMs(value: number, name: string, min = 1): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min) {
    throw new InvalidInputError([
      { path: name, message: `must be a number of milliseconds ≥ ${min}`, received: value },
    ]);
  }
  return Math.min(MAX_TIMER_MS, Math.floor(value));
}

function parseBudget(value: number): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0)
    throw new InvalidInputError([
      { path: 'parseTimeBudgetMs', message: 'must be a number of milliseconds ≥ 0 (Infinity: none)', received: value },
    ]);
  return value;
}

function clampCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidInputError([{ path: name, message: 'must be a whole number ≥ 0', received: value }]);
  return value;
}

/** The public Hub; `HF_ENDPOINT` points every request elsewhere (a mirror, a test server). */
export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

function processEnv(): Record<string, string | undefined> {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env ?? {};
}

/**
 * Applies defaults to {@link HubOptions}, reading `HF_ENDPOINT` and `HF_TOKEN` from `env`.
 * @returns options with every field set; the endpoint without a trailing slash
 */
export function resolveHubOptions(options: HubOptions = {}): ResolvedHubOptions {
  const env = options.env ?? processEnv();
  const endpoint = (options.endpoint ?? env.HF_ENDPOINT ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  const token = options.token ?? (env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined);
  const timeoutMs = clampMs(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  return {
    endpoint,
    token,
    timeoutMs,
    totalTimeoutMs: clampMs(options.totalTimeoutMs ?? Math.max(DEFAULT_TOTAL_TIMEOUT_MS, timeoutMs), 'totalTimeoutMs'),
    retries: Math.min(clampCount(options.retries ?? 3, 'retries'), 20),
    retryBaseMs: clampMs(options.retryBaseMs ?? 500, 'retryBaseMs', 0),
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    signal: options.signal,
    onProgress: options.onProgress,
    parseTimeBudgetMs: parseBudget(options.parseTimeBudgetMs ?? PARSE_TIME_BUDGET_MS),
  };
}
