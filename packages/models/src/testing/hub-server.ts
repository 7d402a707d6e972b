import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VirtualFile } from './safetensors-writer.js';

/** A repository the loopback Hub serves. */
export interface FixtureRepo {
  id: string;
  /** Commit sha (40 hex) that `main` resolves to. */
  sha: string;
  /** Gated repos serve files only with a token listed in `allowedTokens`. */
  gated?: false | 'auto' | 'manual';
  files: Record<string, VirtualFile>;
  /** The model-info API's `safetensors` block. */
  safetensors?: { parameters: Record<string, number>; total: number };
  gguf?: { total: number; architecture: string; context_length: number };
}

/** Misbehaviour to simulate. */
export interface HubServerFaults {
  /** Requests whose path contains this never get an answer (headers never sent). */
  hangOn?: string;
  /** The first `count` requests whose path contains `match` get `status` (with `Retry-After: 0`). */
  failFirst?: { match: string; status: number; count: number };
  /** Model-info requests get an HTML page with status 200. */
  nonJsonApi?: boolean;
  /** File requests ignore `Range` and send the whole file. */
  ignoreRange?: boolean;
  /** Requests whose path contains this get headers and half the body, then nothing. */
  stallBodyOn?: string;
}

/** One request the server saw. */
export interface RecordedRequest {
  method: string;
  path: string;
  range?: string;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  authorization?: string;
}

/** A running loopback Hub. */
export interface HubServer {
  /** `http://127.0.0.1:<port>`: pass as `endpoint` or `HF_ENDPOINT`. */
  url: string;
  requests: RecordedRequest[];
  /** Highest byte offset (exclusive) served from each `repo/file`. */
  maxRead: Map<string, number>;
  faults: HubServerFaults;
  /** Tokens that may read gated repos. */
  allowedTokens: Set<string>;
  reset(): void;
  close(): Promise<void>;
}

const LFS = /\.(safetensors|gguf|bin)$/;

/**
 * Starts an HTTP server on 127.0.0.1 that answers like the Hugging Face Hub for the given
 * repositories: `/api/models/{id}[/revision/{rev}]` (model info with `siblings`, `sha`, `gated`,
 * `safetensors`), `/api/models/{id}/tree/{rev}`, `/api/models?search=`, and `/{id}/resolve/{rev}/{file}` — small files
 * directly, LFS files through a 302 to a CDN path that honours `Range` (206 + Content-Range) and
 * serves zeros past each file's recorded head. Errors carry the Hub's `X-Error-Code` headers
 * (`RepoNotFound`, `RevisionNotFound`, `EntryNotFound`, `GatedRepo`).
 * @param repos the repositories to serve
 */
export async function startHubServer(repos: readonly FixtureRepo[], faults: HubServerFaults = {}): Promise<HubServer> {
  const byId = new Map(repos.map((r) => [r.id, r]));
  const requests: RecordedRequest[] = [];
  const maxRead = new Map<string, number>();
  const allowedTokens = new Set<string>();
  const failures = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const state: HubServer = {
    url: '',
    requests,
    maxRead,
    faults,
    allowedTokens,
    reset() {
      requests.length = 0;
      maxRead.clear();
      failures.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: Uint8Array | string,
  ) => {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    res.writeHead(status, { 'Content-Length': String(bytes.byteLength), ...headers });
    if (faults.stallBodyOn && (req.url ?? '').includes(faults.stallBodyOn) && bytes.byteLength > 1) {
      res.write(bytes.subarray(0, bytes.byteLength >> 1));
      hanging.add(res);
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : bytes);
    requests.push({
      method: req.method ?? 'GET',
      path: req.url ?? '',
      ...(req.headers.range ? { range: req.headers.range } : {}),
      status,
      bytes: req.method === 'HEAD' ? 0 : bytes.byteLength,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
  };
  const json = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => send(req, res, status, { 'Content-Type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(body));
  const hubError = (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string) =>
    json(req, res, status, { error: message }, { 'X-Error-Code': code, 'X-Error-Message': message });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const path = decodeURIComponent(url.pathname);
    if (faults.hangOn && path.includes(faults.hangOn)) {
      hanging.add(res);
      return;
    }
    if (faults.failFirst && path.includes(faults.failFirst.match)) {
      const n = failures.get(faults.failFirst.match) ?? 0;
      if (n < faults.failFirst.count) {
        failures.set(faults.failFirst.match, n + 1);
        return send(
          req,
          res,
          faults.failFirst.status,
          { 'Retry-After': '0', 'Content-Type': 'text/plain' },
          'try again',
        );
      }
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (path === '/api/models' && url.searchParams.has('search')) {
      const q = (url.searchParams.get('search') ?? '').toLowerCase();
      const limit = Number(url.searchParams.get('limit') ?? 20);
      return json(
        req,
        res,
        200,
        repos
          .filter((r) => r.id.toLowerCase().includes(q))
          .slice(0, limit)
          .map((r) => ({ _id: r.sha.slice(0, 24), id: r.id })),
      );
    }
    let m = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/([^/]+))?$/.exec(path);
    if (m) {
      const repo = byId.get(m[1]!);
      if (!repo) return hubError(req, res, 404, 'RepoNotFound', 'Repository not found');
      const rev = m[2];
      if (rev && rev !== 'main' && rev !== 'HEAD' && rev !== repo.sha)
        return hubError(req, res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      if (faults.nonJsonApi)
        return send(
          req,
          res,
          200,
          { 'Content-Type': 'text/html' },
          '<!doctype html><title>Hugging Face – maintenance</title>',
        );
      return json(req, res, 200, {
        _id: `0000${repo.sha.slice(0, 20)}`,
        id: repo.id,
        author: repo.id.split('/')[0],
        sha: repo.sha,
        private: false,
        gated: repo.gated ?? false,
        disabled: false,
        downloads: 1,
        likes: 1,
        lastModified: '2025-01-01T00:00:00.000Z',
        pipeline_tag: 'text-generation',
        tags: [],
        siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })),
        ...(repo.safetensors ? { safetensors: repo.safetensors } : {}),
        ...(repo.gguf ? { gguf: repo.gguf } : {}),
      });
    }
    m = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(path);
    if (m) {
      const repo = byId.get(m[1]!);
      if (!repo) return hubError(req, res, 404, 'RepoNotFound', 'Repository not found');
      return json(
        req,
        res,
        200,
        Object.entries(repo.files).map(([p, f]) => ({
          type: 'file',
          oid: repo.sha,
          size: f.size,
          path: p,
          ...(LFS.test(p) ? { lfs: { oid: repo.sha, size: f.size, pointerSize: 134 } } : {}),
        })),
      );
    }
    m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (m) {
      const repo = byId.get(m[1]!);
      if (!repo) return hubError(req, res, 404, 'RepoNotFound', 'Repository not found');
      const rev = m[2]!;
      if (rev !== 'main' && rev !== repo.sha)
        return hubError(req, res, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
      if (repo.gated && (!token || !allowedTokens.has(token))) {
        return hubError(
          req,
          res,
          token ? 403 : 401,
          'GatedRepo',
          `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
        );
      }
      const file = repo.files[m[3]!];
      if (!file) return hubError(req, res, 404, 'EntryNotFound', 'Entry not found');
      if (LFS.test(m[3]!)) {
        return send(
          req,
          res,
          302,
          { Location: `/cdn/${encodeURIComponent(repo.id)}/${repo.sha}/${encodeURIComponent(m[3]!)}` },
          '',
        );
      }
      return serveBytes(req, res, repo.id, m[3]!, file);
    }
    m = /^\/cdn\/([^/]+\/[^/]+)\/([0-9a-f]+)\/(.+)$/.exec(path);
    if (m) {
      const file = byId.get(m[1]!)?.files[m[3]!];
      if (!file) return send(req, res, 404, {}, 'no such object');
      return serveBytes(req, res, m[1]!, m[3]!, file);
    }
    return send(req, res, 404, { 'Content-Type': 'text/plain' }, 'not found');
  });

  function serveBytes(req: IncomingMessage, res: ServerResponse, repo: string, name: string, file: VirtualFile) {
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const headers = { 'Content-Type': 'application/octet-stream', ETag: '"fixture"', 'Accept-Ranges': 'bytes' };
    let start = 0;
    let end = file.size;
    let status = 200;
    if (range && !faults.ignoreRange) {
      start = Number(range[1]);
      end = range[2] ? Math.min(Number(range[2]) + 1, file.size) : file.size;
      if (start >= file.size) return send(req, res, 416, { 'Content-Range': `bytes */${file.size}` }, '');
      status = 206;
    }
    // Never materialize more than 64 MiB of zeros: a client that asks for a whole multi-GB file gets a truncated body.
    const length = Math.min(end - start, 64 * 1024 * 1024);
    const body = new Uint8Array(length);
    if (start < file.head.byteLength)
      body.set(file.head.subarray(start, Math.min(file.head.byteLength, start + length)));
    const key = `${repo}/${name}`;
    maxRead.set(key, Math.max(maxRead.get(key) ?? 0, start + length));
    send(
      req,
      res,
      status,
      {
        ...headers,
        ...(status === 206 ? { 'Content-Range': `bytes ${start}-${start + length - 1}/${file.size}` } : {}),
      },
      body,
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
