import { VramkitError } from '@vramkit/core';
import { HubFetchError, type HubErrorCode } from './errors.js';
import type { ResolvedHubOptions } from './hub-options.js';

/** One finished HTTP exchange, as counted by {@link HubTransport}. */
export interface HubRequestLog {
  method: string;
  url: string;
  status: number;
  /** Body bytes received. */
  bytes: number;
  /** The `Range` header sent, if any. */
  range?: string;
}

/** Requests and bytes of one load: what `--verbose` prints and what tests assert. */
export interface HubStats {
  requests: number;
  bytes: number;
  log: HubRequestLog[];
}

/** One request through {@link HubTransport.request}. */
export interface HubRequest {
  url: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Repository, for error messages. */
  repo?: string;
  /** File or API path, for error messages and progress. */
  file?: string;
  /** Largest body accepted; a longer body aborts the request (a Hub that ignores `Range`). */
  maxBytes: number;
  /** Progress step name. */
  step: string;
}

/** A successful response with its body read in full. */
export interface HubResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
// Retry-After can ask for minutes; a CLI waits at most this long per retry and then reports HUB_RATE_LIMITED.
const MAX_RETRY_AFTER_MS = 30_000;

class TimeoutSignal extends Error {}

/**
 * The one place vramkit talks HTTP: per-attempt timeouts covering headers and body, retries with
 * exponential backoff on 429/5xx/network errors/timeouts, body size limits, request counting, and
 * typed {@link HubFetchError}s. Libraries (`@huggingface/gguf`, `@huggingface/hub`) get
 * {@link HubTransport.fetchFor} so their requests are counted and bounded the same way.
 */
export class HubTransport {
  readonly stats: HubStats = { requests: 0, bytes: 0, log: [] };
  private readonly origin: string;

  constructor(readonly options: ResolvedHubOptions) {
    this.origin = new URL(options.endpoint).origin;
  }

  /** Authorization for requests to the configured endpoint only (never to a third-party host). */
  authHeaders(url: string): Record<string, string> {
    if (!this.options.token) return {};
    return new URL(url).origin === this.origin ? { Authorization: `Bearer ${this.options.token}` } : {};
  }

  /**
   * Sends a request with retries and reads its body (at most `maxBytes`).
   * @returns status, headers and body of a 2xx response
   * @throws HubFetchError for any non-2xx status after retries, a timeout, a network failure or an oversized body
   */
  async request(req: HubRequest): Promise<HubResponse> {
    const method = req.method ?? 'GET';
    const headers = { ...this.authHeaders(req.url), ...req.headers };
    const { retries, retryBaseMs, timeoutMs, totalTimeoutMs } = this.options;
    // One deadline for the whole load, from its first request: retries never stretch a hung Hub past it.
    this.deadline ??= Date.now() + totalTimeoutMs;
    let lastError: HubFetchError | undefined;
    let retryAfterMs: number | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        // A server asking for more than we would ever wait gets its answer now, not after the wait.
        if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) break;
        const wait = retryAfterMs ?? backoffMs(retryBaseMs, attempt);
        // Waiting longer than the time left only postpones the same error.
        if (wait >= this.remainingMs() - 1) break;
        await this.sleep(wait);
      }
      const budget = Math.min(timeoutMs, this.remainingMs());
      if (budget <= 0) break;
      retryAfterMs = undefined;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new TimeoutSignal()), budget);
      const external = this.options.signal;
      const onAbort = () => controller.abort(external?.reason);
      external?.addEventListener('abort', onAbort, { once: true });
      try {
        if (external?.aborted) throw external.reason;
        const res = await this.options.fetch(req.url, {
          method,
          headers,
          signal: controller.signal,
          redirect: 'follow',
        });
        if (RETRYABLE.has(res.status) && attempt < retries) {
          await res.body?.cancel().catch(() => undefined);
          retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Number.POSITIVE_INFINITY);
          lastError = this.statusError(req, res.status, res.headers, '', attempt + 1, retryAfterMs);
          this.record(req, method, res.status, 0, headers.Range);
          continue;
        }
        if (res.status < 200 || res.status > 299) {
          // An error is reported by its status; only a short prefix of its body is read (an HTML page, a
          // JSON error), never the whole of it, and never mistaken for an oversized range.
          const prefix = method === 'HEAD' ? new Uint8Array(0) : await readPrefix(res, 2000);
          this.record(req, method, res.status, prefix.byteLength, headers.Range);
          throw this.statusError(req, res.status, res.headers, new TextDecoder().decode(prefix), attempt + 1);
        }
        const body =
          method === 'HEAD'
            ? new Uint8Array(0)
            : await readLimited(res, req.maxBytes, req, headers.Range !== undefined);
        this.record(req, method, res.status, body.byteLength, headers.Range);
        return { status: res.status, headers: res.headers, body };
      } catch (e) {
        if (VramkitError.isInstance(e)) throw e;
        if (external?.aborted) throw e;
        const timedOut = controller.signal.reason instanceof TimeoutSignal;
        const kind = networkFailure(e);
        lastError = new HubFetchError({
          code: timedOut ? 'HUB_TIMEOUT' : kind === 'redirect' ? 'HUB_BAD_RESPONSE' : 'HUB_UNAVAILABLE',
          message: timedOut
            ? `${req.repo ?? req.url}: no complete answer from ${this.options.endpoint} within ${budget} ms (${req.file ?? req.url}) after ${attempt + 1} attempt(s). Retry, raise the per-request timeout (\`timeoutMs\`), or load offline (\`offline\`).`
            : kind === 'redirect'
              ? `${req.repo ?? req.url}: ${this.options.endpoint} redirected ${req.file ?? req.url} in a loop or too many times (${errorText(e)}). Check HF_ENDPOINT; the Hub itself redirects once.`
              : kind === 'cut'
                ? `${req.repo ?? req.url}: the connection to ${this.options.endpoint} closed before the answer for ${req.file ?? req.url} was complete (${errorText(e)}) after ${attempt + 1} attempt(s). Retry, or load offline (\`offline\`).`
                : `${req.repo ?? req.url}: cannot reach ${this.options.endpoint} (${errorText(e)}). Check the network or HF_ENDPOINT, or load offline (\`offline\`).`,
          repo: req.repo,
          url: req.url,
          cause: e,
        });
        // No route, no DNS name, nothing listening, a redirect loop: retrying only delays the error.
        if (!timedOut && (kind === 'permanent' || kind === 'redirect')) throw lastError;
      } finally {
        clearTimeout(timer);
        external?.removeEventListener('abort', onAbort);
      }
    }
    if (lastError && this.remainingMs() <= 0 && lastError.code !== 'HUB_TIMEOUT') {
      throw new HubFetchError({
        code: lastError.code as HubErrorCode,
        message: `${lastError.message} Gave up: the load's ${this.options.totalTimeoutMs} ms budget is spent.`,
        status: lastError.status,
        repo: lastError.repo,
        url: lastError.url,
        hubErrorCode: lastError.hubErrorCode,
        cause: lastError.cause,
      });
    }
    throw (
      lastError ??
      new HubFetchError({
        code: 'HUB_TIMEOUT',
        message: `${req.repo ?? req.url}: the load's ${this.options.totalTimeoutMs} ms budget was spent before ${req.file ?? req.url} could be fetched. Retry, raise the per-request timeout (\`timeoutMs\`), or load offline (\`offline\`).`,
        repo: req.repo,
        url: req.url,
      })
    );
  }

  private deadline: number | undefined;

  private remainingMs(): number {
    return (this.deadline ?? Date.now() + this.options.totalTimeoutMs) - Date.now();
  }

  /**
   * A `fetch` for libraries: same retries, limits and counting; the body is buffered (≤ `maxBytes`).
   * Non-2xx statuses throw {@link HubFetchError} instead of returning a response.
   */
  fetchFor(step: string, repo: string | undefined, file: string | undefined, maxBytes: number): typeof fetch {
    return async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => {
        // Keep header names canonical so our own Range/Authorization logic sees them.
        headers[k === 'range' ? 'Range' : k === 'authorization' ? 'Authorization' : k] = v;
      });
      const method = (init?.method ?? 'GET').toUpperCase() === 'HEAD' ? 'HEAD' : 'GET';
      const res = await this.request({ url, method, headers, repo, file, maxBytes, step });
      return new Response(method === 'HEAD' ? null : (res.body as Uint8Array<ArrayBuffer>), {
        status: res.status,
        headers: res.headers,
      });
    };
  }

  private record(req: HubRequest, method: string, status: number, bytes: number, range: string | undefined): void {
    this.stats.requests++;
    this.stats.bytes += bytes;
    this.stats.log.push({ method, url: req.url, status, bytes, ...(range ? { range } : {}) });
    this.options.onProgress?.({
      step: req.step,
      file: req.file,
      requests: this.stats.requests,
      bytes: this.stats.bytes,
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  private statusError(
    req: HubRequest,
    status: number,
    headers: Headers,
    bodyText: string,
    attempts = this.options.retries + 1,
    retryAfterMs?: number,
  ): HubFetchError {
    const hubCode = headers.get('x-error-code') ?? undefined;
    const hubMessage = (headers.get('x-error-message') ?? messageFromBody(bodyText))?.replace(/\s+/g, ' ');
    const repo = req.repo ?? '';
    const endpoint = this.options.endpoint;
    const base = { status, repo: req.repo, url: req.url, hubErrorCode: hubCode };
    const detail = hubMessage ? ` (Hub says: ${hubMessage.slice(0, 200)})` : '';
    let code: HubErrorCode;
    let message: string;
    // huggingface_hub utils/_http.py hf_raise_for_status: X-Error-Code RepoNotFound, RevisionNotFound,
    // EntryNotFound, GatedRepo; a bare 401 also answers private (or missing) repos to anonymous callers.
    if (hubCode === 'GatedRepo') {
      code = 'HUB_UNAUTHORIZED';
      message = this.options.token
        ? `${repo} is a gated model and this HF_TOKEN's account has no access yet. Accept the license at ${endpoint}/${repo} and retry.`
        : `${repo} is a gated model. Accept the license at ${endpoint}/${repo}, create a read token at ${endpoint}/settings/tokens, and set HF_TOKEN=hf_… (or load offline (\`offline\`) to use the catalogue).`;
    } else if (hubCode === 'RepoNotFound' || (status === 404 && !hubCode && req.file === undefined)) {
      code = 'HUB_NOT_FOUND';
      message = `${repo} was not found on ${endpoint}. Check the id (owner/name, case-sensitive)${this.options.token ? '' : '; if it is private, set HF_TOKEN'}.`;
    } else if (hubCode === 'RevisionNotFound') {
      code = 'HUB_NOT_FOUND';
      message = `${repo}: revision not found (${req.url}). Pass an existing branch, tag or commit sha as the revision (\`revision\`).`;
    } else if (status === 404 || hubCode === 'EntryNotFound') {
      code = 'HUB_NOT_FOUND';
      message = `${repo}: ${req.file ?? 'file'} does not exist in this repository${detail}.`;
    } else if (status === 401 || status === 403) {
      code = 'HUB_UNAUTHORIZED';
      message = this.options.token
        ? `${repo}: the Hub refused HF_TOKEN (${status})${detail}. Check the token at ${endpoint}/settings/tokens.`
        : `${repo}: the Hub requires authentication (${status}): the repository is private, gated, or does not exist${detail}. Check the id, or set HF_TOKEN=hf_… to a read token.`;
    } else if (status === 429) {
      code = 'HUB_RATE_LIMITED';
      const after = retryAfterMs ?? parseRetryAfter(headers.get('retry-after'), Number.POSITIVE_INFINITY);
      message = `${endpoint} rate-limited the requests for ${repo || req.url} (429) after ${attempts} attempt(s)${after !== undefined ? `; it asks to wait ${Math.ceil(after / 1000)} s` : ''}. Wait${after !== undefined ? ' that long' : ' a minute'}, set HF_TOKEN (higher limits), or load offline (\`offline\`).`;
    } else if (status >= 500 || status === 408) {
      code = 'HUB_UNAVAILABLE';
      message = `${endpoint} answered ${status} for ${req.file ?? req.url} after ${attempts} attempt(s). Retry later or load offline (\`offline\`).`;
    } else {
      code = 'HUB_BAD_RESPONSE';
      message = `${endpoint} answered an unexpected ${status} for ${req.file ?? req.url}${detail}.`;
    }
    return new HubFetchError({ code, message, ...base });
  }
}

function messageFromBody(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as unknown;
    if (j && typeof j === 'object' && typeof (j as { error?: unknown }).error === 'string')
      return (j as { error: string }).error;
  } catch {
    // Not JSON: error pages are HTML; do not echo them.
  }
  return undefined;
}

const PERMANENT_NETWORK_CODES = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
]);

/**
 * What kind of network failure a fetch rejection is: permanent (nothing to retry), a redirect loop
 * (undici: "redirect count exceeded"), a body cut short (undici: "terminated", a socket closed or reset
 * mid-body), or anything else (retried).
 */
function networkFailure(e: unknown): 'permanent' | 'redirect' | 'cut' | 'other' {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const text = `${e instanceof Error ? e.message : String(e)} ${typeof cause?.message === 'string' ? cause.message : ''}`;
  // undici refuses the Fetch standard's blocked ports ("bad port") before connecting.
  if ((code && PERMANENT_NETWORK_CODES.has(code)) || cause?.message === 'bad port') return 'permanent';
  if (/redirect count exceeded|redirect loop/i.test(text)) return 'redirect';
  if (
    /terminated|other side closed|ECONNRESET|socket hang up|UND_ERR_SOCKET/i.test(text) ||
    code === 'ECONNRESET' ||
    code === 'UND_ERR_SOCKET'
  )
    return 'cut';
  return 'other';
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), at most `cap`. */
function parseRetryAfter(value: string | null, cap = MAX_RETRY_AFTER_MS): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(cap, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.min(cap, Math.max(0, date - Date.now())) : undefined;
}

function backoffMs(base: number, attempt: number): number {
  // Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): spreads retries of parallel shard reads.
  const exp = base * 2 ** (attempt - 1);
  return Math.min(MAX_RETRY_AFTER_MS, exp / 2 + Math.random() * (exp / 2));
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}

/** At most `max` bytes of an error body; the rest is not read. */
async function readPrefix(res: Response, max: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value.subarray(0, max - total));
      total += Math.min(value.byteLength, max - total);
    }
  } catch {
    // A body that fails halfway still leaves its status to report.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

async function readLimited(res: Response, maxBytes: number, req: HubRequest, ranged: boolean): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  // Only a full answer (200) to a Range request means the server ignored the Range header.
  const why = ranged && res.status === 200 ? ' (the server ignored the Range header)' : '';
  const tooBig = () =>
    new HubFetchError({
      code: 'HUB_BAD_RESPONSE',
      message: `${req.file ?? req.url}: the response (${Number.isFinite(declared) ? `${declared} bytes declared` : 'streamed'}) exceeds the ${maxBytes}-byte limit${why}; refusing to download it.`,
      status: res.status,
      repo: req.repo,
      url: req.url,
    });
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig();
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooBig();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
