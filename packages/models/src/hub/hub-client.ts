import { listFiles, modelInfo } from '@huggingface/hub';
import { VramkitError } from '@vramkit/core';
import { HubFetchError } from './errors.js';
import { type HubOptions, type ResolvedHubOptions, resolveHubOptions } from './hub-options.js';
import { HubTransport } from './hub-transport.js';
import { assertRepoFilePath, assertRepoId, assertRevision, encodeRepoPath } from './repo-id.js';
import { parseJsonObject } from './safe-json.js';

/** The fields of the Hub's model-info API (`/api/models/{id}`) that vramkit reads. */
export interface HubModelInfo {
  id: string;
  /** Commit sha the revision resolved to. */
  sha?: string;
  /** `false`, `"auto"` or `"manual"`. */
  gated: false | 'auto' | 'manual';
  private: boolean;
  /** Every file path in the repository at this revision. */
  files: string[];
  /** The Hub's count of safetensors parameters per dtype, and their total (`expand[]=safetensors`). */
  safetensors?: { parameters: Record<string, number>; total: number };
  /** GGUF summary of a GGUF repository (`expand[]=gguf`). */
  gguf?: { total?: number; architecture?: string; contextLength?: number };
}

/** A file of a repository with its size (from the tree API). */
export interface HubFile {
  path: string;
  size: number;
}

// Bodies we accept, by kind: a config.json is a few KB; the API JSON of a repo with thousands of files a few MB.
const MAX_JSON_BYTES = 16 * 1024 * 1024;

/**
 * A minimal Hub client: model info, small files, byte ranges and file listings, all through one
 * {@link HubTransport} (timeouts, retries, counting, typed errors). Uses `@huggingface/hub` for the
 * JSON APIs and plain range requests for file headers, so weights are never downloaded.
 */
export class HubClient {
  readonly transport: HubTransport;
  readonly options: ResolvedHubOptions;

  constructor(options: HubOptions = {}) {
    this.options = resolveHubOptions(options);
    this.transport = new HubTransport(this.options);
  }

  /** The `resolve` URL of a file at a revision. */
  fileUrl(repo: string, path: string, revision = 'main'): string {
    return `${this.options.endpoint}/${assertRepoId(repo)}/resolve/${encodeURIComponent(assertRevision(revision))}/${encodeRepoPath(assertRepoFilePath(path))}`;
  }

  /**
   * Model info with safetensors totals, file list, sha and gating (one request).
   * @param repo `owner/name`
   * @param revision branch, tag or sha (default `main`)
   * @throws HubFetchError (HUB_NOT_FOUND with "did you mean", HUB_UNAUTHORIZED, …)
   */
  async modelInfo(repo: string, revision?: string): Promise<HubModelInfo> {
    assertRepoId(repo);
    if (revision !== undefined) assertRevision(revision);
    let raw: Record<string, unknown>;
    try {
      raw = (await modelInfo({
        name: repo,
        revision,
        hubUrl: this.options.endpoint,
        additionalFields: ['sha', 'siblings', 'safetensors', 'gguf'] as never,
        fetch: this.jsonFetch('model-info', repo, `/api/models/${repo}`),
      })) as unknown as Record<string, unknown>;
    } catch (e) {
      throw wrapLibraryError(e, repo, 'model-info');
    }
    return toModelInfo(repo, raw);
  }

  /**
   * Model ids the Hub's search finds for a name (`/api/models?search=…&limit=…`), for "did you mean".
   * @returns up to `limit` ids; empty when the search fails (it only decorates another error)
   */
  async searchModels(name: string, limit = 5): Promise<string[]> {
    const url = `${this.options.endpoint}/api/models?search=${encodeURIComponent(name)}&limit=${limit}`;
    try {
      const res = await this.transport.request({
        url,
        maxBytes: 1024 * 1024,
        step: 'search',
        file: '/api/models?search',
      });
      const list = JSON.parse(new TextDecoder().decode(res.body)) as unknown;
      if (!Array.isArray(list)) return [];
      return list
        .map((m) => (m && typeof m === 'object' ? (m as { id?: unknown }).id : undefined))
        .filter((id): id is string => typeof id === 'string')
        .slice(0, limit);
    } catch {
      return [];
    }
  }

  /**
   * A small text file (config.json, index.json) in full.
   * @throws HubFetchError (HUB_NOT_FOUND for a missing file)
   */
  async fileBytes(repo: string, path: string, revision?: string, maxBytes = MAX_JSON_BYTES): Promise<Uint8Array> {
    const res = await this.transport.request({
      url: this.fileUrl(repo, path, revision),
      repo,
      file: path,
      maxBytes,
      step: 'config',
    });
    return res.body;
  }

  /** A file parsed as a JSON object (prototype keys dropped). */
  async fileJson(repo: string, path: string, revision?: string): Promise<Record<string, unknown>> {
    return parseJsonObject(await this.fileBytes(repo, path, revision), path, {
      parseTimeBudgetMs: this.options.parseTimeBudgetMs,
    });
  }

  /**
   * Bytes `[start, end)` of a file with a `Range` request (the server may return fewer at the end of the file).
   * @returns the bytes and the file's total size from `Content-Range` when the server sent it
   */
  async fileRange(
    repo: string,
    path: string,
    start: number,
    end: number,
    revision?: string,
  ): Promise<{ bytes: Uint8Array; fileSize?: number }> {
    const res = await this.transport.request({
      url: this.fileUrl(repo, path, revision),
      headers: { Range: `bytes=${start}-${end - 1}` },
      repo,
      file: path,
      maxBytes: end - start,
      step: 'safetensors-header',
    });
    const total = res.headers.get('content-range')?.match(/\/\s*(\d+)\s*$/)?.[1];
    if (res.status === 200 && start > 0) {
      throw new HubFetchError({
        code: 'HUB_BAD_RESPONSE',
        message: `${path}: the server ignored the Range header`,
        repo,
        url: this.fileUrl(repo, path, revision),
      });
    }
    return { bytes: res.body, ...(total ? { fileSize: Number(total) } : {}) };
  }

  /**
   * Files with sizes (tree API, recursive, paginated) — for listing GGUF quantizations.
   * @throws HubFetchError
   */
  async listFiles(repo: string, revision?: string): Promise<HubFile[]> {
    assertRepoId(repo);
    const out: HubFile[] = [];
    try {
      for await (const entry of listFiles({
        repo: { type: 'model', name: repo },
        revision,
        recursive: true,
        hubUrl: this.options.endpoint,
        fetch: this.jsonFetch('file-list', repo, `/api/models/${repo}/tree`),
      })) {
        if (entry.type === 'file' && typeof entry.path === 'string')
          out.push({ path: entry.path, size: Number(entry.lfs?.size ?? entry.size ?? 0) });
        if (out.length > 100_000) break;
      }
    } catch (e) {
      throw wrapLibraryError(e, repo, 'tree');
    }
    return out;
  }

  private jsonFetch(step: string, repo: string, file: string): typeof fetch {
    const inner = this.transport.fetchFor(step, repo, file, MAX_JSON_BYTES);
    // The libraries call response.json(); hand them a body already cleaned of prototype keys.
    return async (input, init) => {
      const res = await inner(input, init);
      const obj = parseJsonObjectOrArray(new Uint8Array(await res.arrayBuffer()), file);
      return new Response(JSON.stringify(obj), { status: res.status, headers: res.headers });
    };
  }
}

function parseJsonObjectOrArray(bytes: Uint8Array, file: string): unknown {
  const text = new TextDecoder().decode(bytes);
  if (text.trimStart().startsWith('[')) {
    return parseJsonObject(`{"items":${text}}`, file).items;
  }
  return parseJsonObject(text, file);
}

function wrapLibraryError(e: unknown, repo: string, what: string): unknown {
  if (VramkitError.isInstance(e)) return e;
  return new HubFetchError({
    code: 'HUB_BAD_RESPONSE',
    message: `${repo}: unexpected ${what} response (${e instanceof Error ? e.message : String(e)})`,
    repo,
    cause: e,
  });
}

function toModelInfo(repo: string, raw: Record<string, unknown>): HubModelInfo {
  const siblings = Array.isArray(raw.siblings) ? raw.siblings : [];
  const files = siblings
    .map((s) => (s && typeof s === 'object' ? (s as { rfilename?: unknown }).rfilename : undefined))
    .filter((f): f is string => typeof f === 'string');
  const gated = raw.gated === 'auto' || raw.gated === 'manual' ? raw.gated : false;
  const info: HubModelInfo = {
    id: typeof raw.name === 'string' ? raw.name : repo,
    gated,
    private: raw.private === true,
    files,
  };
  if (typeof raw.sha === 'string' && /^[0-9a-f]{40}$/.test(raw.sha)) info.sha = raw.sha;
  const st = raw.safetensors as { parameters?: unknown; total?: unknown } | undefined;
  if (st && typeof st === 'object' && typeof st.total === 'number' && Number.isSafeInteger(st.total) && st.total >= 0) {
    const parameters: Record<string, number> = {};
    if (st.parameters && typeof st.parameters === 'object') {
      for (const [k, v] of Object.entries(st.parameters))
        if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) parameters[k] = v;
    }
    info.safetensors = { parameters, total: st.total };
  }
  const g = raw.gguf as { total?: unknown; architecture?: unknown; context_length?: unknown } | undefined;
  if (g && typeof g === 'object') {
    info.gguf = {
      ...(typeof g.total === 'number' ? { total: g.total } : {}),
      ...(typeof g.architecture === 'string' ? { architecture: g.architecture } : {}),
      ...(typeof g.context_length === 'number' ? { contextLength: g.context_length } : {}),
    };
  }
  return info;
}
