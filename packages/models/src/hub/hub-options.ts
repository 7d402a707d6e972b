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
  /** Milliseconds one attempt may take, headers and body together. Default 20,000. */
  timeoutMs?: number;
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
}

/** {@link HubOptions} with every default applied. */
export interface ResolvedHubOptions {
  endpoint: string;
  token: string | undefined;
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  onProgress: ((progress: LoadProgress) => void) | undefined;
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
  return {
    endpoint,
    token,
    timeoutMs: options.timeoutMs ?? 20_000,
    retries: options.retries ?? 3,
    retryBaseMs: options.retryBaseMs ?? 500,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    signal: options.signal,
    onProgress: options.onProgress,
  };
}
