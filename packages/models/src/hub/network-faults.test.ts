import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listCatalogue } from '../catalogue/catalogue.js';
import { loadModel } from '../load-model.js';
import { HubClient } from './hub-client.js';
import { MAX_TIMER_MS, resolveHubOptions } from './hub-options.js';

// Issue #15: the network fault matrix for model info, config and range reads, each against a real
// loopback server that misbehaves one way per path. Every fault must end in a typed, actionable
// HubFetchError (or a typed parse error), within the load's time budget.
const cfg = listCatalogue().find((e) => e.id === 'meta-llama/Llama-3.2-1B-Instruct')!.config;
const SHA = 'a'.repeat(40);
const info = (id: string) =>
  JSON.stringify({
    id,
    sha: SHA,
    siblings: [{ rfilename: 'config.json' }, { rfilename: 'model.safetensors' }],
    private: false,
    gated: false,
  });

interface Seen {
  path: string;
  authorization: string | undefined;
}
let main: Server;
let other: Server;
let base: string;
let otherBase: string;
const seen: Seen[] = [];
const seenOther: Seen[] = [];
const sockets = new Set<import('node:net').Socket>();

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
// The repository name picks the fault; the path tells model info (/api/models/) from files (/resolve/).
const faults: Record<string, Handler> = {
  ok: (req, res) => {
    if (req.url!.startsWith('/api/models/'))
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(info('f/ok'));
    return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(cfg));
  },
  gated: (_req, res) =>
    void res.writeHead(403, { 'X-Error-Code': 'GatedRepo', 'Content-Type': 'text/plain' }).end('gated'),
  private: (_req, res) => void res.writeHead(401, { 'Content-Type': 'text/plain' }).end('unauthorized'),
  missing: (_req, res) =>
    void res
      .writeHead(404, { 'X-Error-Code': 'RepoNotFound', 'Content-Type': 'application/json' })
      .end('{"error":"Repository not found"}'),
  'slow-down': (_req, res) => void res.writeHead(429, { 'Retry-After': '120' }).end('slow down'),
  'rate-limited': (_req, res) => void res.writeHead(429).end('slow down'),
  down: (_req, res) =>
    void res.writeHead(503, { 'Content-Type': 'text/html' }).end(`<html>${'x'.repeat(100_000)}</html>`),
  reset: (req) => req.socket.destroy(),
  'cut-body': (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '4000' });
    res.write(JSON.stringify(cfg).slice(0, 100));
    setTimeout(() => res.socket?.destroy(), 20);
  },
  hang: () => undefined,
  loop: (req, res) => void res.writeHead(302, { Location: req.url! }).end(),
  'cross-host': (req, res) => void res.writeHead(302, { Location: `${otherBase}${req.url}` }).end(),
  'huge-length': (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(2 ** 31) });
    res.write('{');
    setTimeout(() => res.socket?.destroy(), 20);
  },
  'not-json': (_req, res) =>
    void res
      .writeHead(200, { 'Content-Type': 'text/html' })
      .end(`<!doctype html><title>${'maintenance '.repeat(10_000)}</title>`),
  'range-404': (_req, res) =>
    void res
      .writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'Content-Type': 'text/html' })
      .end(`<html>${'not found '.repeat(10_000)}</html>`),
  'range-500': (_req, res) =>
    void res.writeHead(500, { 'Content-Type': 'text/html' }).end(`<html>${'oops '.repeat(10_000)}</html>`),
  'range-ignored': (_req, res) => void res.writeHead(200, { 'Content-Length': '100000' }).end(new Uint8Array(100_000)),
};

beforeAll(async () => {
  const listen = (s: Server) =>
    new Promise<string>((resolve) =>
      s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
    );
  main = createServer((req, res) => {
    seen.push({ path: req.url!, authorization: req.headers.authorization });
    if (req.url!.startsWith('/api/models?search='))
      return void res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify([{ id: 'f/missing' }, { id: 'f/missing-2' }]));
    const name = /^\/(?:api\/models\/)?f\/([^/]+)/.exec(req.url!)?.[1] ?? '';
    const handler = faults[name];
    if (!handler) return void res.writeHead(500).end('no such fault');
    handler(req, res);
  });
  other = createServer((req, res) => {
    seenOther.push({ path: req.url!, authorization: req.headers.authorization });
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(req.url!.startsWith('/api/') ? info('f/cross-host') : JSON.stringify(cfg));
  });
  for (const s of [main, other]) s.on('connection', (sock) => sockets.add(sock).size);
  base = await listen(main);
  // "localhost" is another origin than 127.0.0.1 for the Fetch standard's redirect rules.
  otherBase = (await listen(other)).replace('127.0.0.1', 'localhost');
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([main, other].map((s) => new Promise((r) => s.close(r))));
});

const client = (extra: ConstructorParameters<typeof HubClient>[0] = {}) =>
  new HubClient({ endpoint: base, retries: 2, retryBaseMs: 1, timeoutMs: 1500, env: {}, ...extra });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => Promise.reject(new Error('resolved')),
    (e: unknown) => e as Error & { code: string; status?: number },
  );
const hits = (name: string) => seen.filter((s) => s.path.includes(`f/${name}`)).length;

describe('network fault matrix (issue #15)', () => {
  describe.each([
    ['model info', (c: HubClient, name: string) => c.modelInfo(`f/${name}`)],
    ['config', (c: HubClient, name: string) => c.fileJson(`f/${name}`, 'config.json', SHA)],
    ['range read', (c: HubClient, name: string) => c.fileRange(`f/${name}`, 'model.safetensors', 0, 8, SHA)],
  ])('%s', (_what, call) => {
    it('403 GatedRepo → HUB_UNAUTHORIZED saying how to get access', async () => {
      const e = await failure(call(client(), 'gated'));
      expect(e).toMatchObject({ code: 'HUB_UNAUTHORIZED', status: 403 });
      expect(e.message).toMatch(/gated model.*Accept the license.*HF_TOKEN/);
    });

    it('401 → HUB_UNAUTHORIZED naming private, gated or missing and HF_TOKEN', async () => {
      const e = await failure(call(client(), 'private'));
      expect(e).toMatchObject({ code: 'HUB_UNAUTHORIZED', status: 401 });
      expect(e.message).toMatch(/requires authentication.*HF_TOKEN/);
    });

    it('429 with Retry-After: 120 → HUB_RATE_LIMITED at once, saying how long, without waiting 2 minutes', async () => {
      const before = hits('slow-down');
      const e = await failure(call(client(), 'slow-down'));
      expect(e).toMatchObject({ code: 'HUB_RATE_LIMITED', status: 429 });
      expect(e.message).toMatch(/asks to wait 120 s/);
      expect(hits('slow-down') - before).toBe(1);
    });

    it('429 without Retry-After → retried with backoff, then HUB_RATE_LIMITED', async () => {
      const before = hits('rate-limited');
      const e = await failure(call(client(), 'rate-limited'));
      expect(e).toMatchObject({ code: 'HUB_RATE_LIMITED' });
      expect(e.message).toMatch(/after 3 attempt\(s\).*set HF_TOKEN/);
      expect(hits('rate-limited') - before).toBe(3);
    });

    it('503 with a 100 KB HTML page → HUB_UNAVAILABLE by its status, quoting none of the page', async () => {
      const e = await failure(call(client(), 'down'));
      expect(e).toMatchObject({ code: 'HUB_UNAVAILABLE', status: 503 });
      expect(e.message).toMatch(/answered 503/);
      expect(e.message.length).toBeLessThan(400);
    });

    it('connection reset → HUB_UNAVAILABLE after retries', async () => {
      const before = hits('reset');
      const e = await failure(call(client(), 'reset'));
      expect(e.code).toBe('HUB_UNAVAILABLE');
      expect(e.message).toMatch(/Retry, or load offline \(`offline`\)/);
      expect(hits('reset') - before).toBe(3);
    });

    // The library names its own options, never a CLI flag (issue #15); the CLI maps the paths.
    it.each([
      ['gated', ['offline']],
      ['slow-down', ['offline']],
      ['down', ['offline']],
      ['reset', ['offline']],
      ['hang', ['timeoutMs', 'offline']],
    ])('%s: the remedy names load options (%j), never a CLI flag', async (name, paths) => {
      const e = (await failure(call(client({ timeoutMs: 150, totalTimeoutMs: 400 }), name))) as unknown as Error & {
        remedyPaths: string[];
      };
      expect(e.message).not.toMatch(/--[a-z]/);
      expect(e.remedyPaths).toEqual(paths);
      for (const p of paths) expect(e.message).toContain(`\`${p}\``);
    });

    it('a server that accepts and never answers → HUB_TIMEOUT within the total budget (3 attempts of 150 ms, no more)', async () => {
      const before = hits('hang');
      const e = await failure(call(client({ timeoutMs: 150, totalTimeoutMs: 400, retries: 10 }), 'hang'));
      expect(e.code).toBe('HUB_TIMEOUT');
      expect(hits('hang') - before).toBeLessThanOrEqual(3);
    });

    it('a redirect loop → HUB_BAD_RESPONSE, not retried', async () => {
      const before = hits('loop');
      const e = await failure(call(client(), 'loop'));
      expect(e.code).toBe('HUB_BAD_RESPONSE');
      expect(e.message).toMatch(/redirected .* in a loop or too many times/);
      expect(hits('loop') - before).toBeLessThanOrEqual(21);
    });
  });

  it('model info 404 → HUB_NOT_FOUND with did-you-mean that never suggests the id typed', async () => {
    const e = await failure(loadModel('f/missing', { endpoint: base, retries: 0, env: {} }));
    expect(e).toMatchObject({ code: 'HUB_NOT_FOUND' });
    expect(e.message).toMatch(/Did you mean "f\/missing-2"\?/);
    expect(e.message).not.toMatch(/"f\/missing"/);
  });

  it('model info that is not JSON → PARSE_ERROR quoting a short excerpt', async () => {
    const e = await failure(client().modelInfo('f/not-json'));
    expect(e.code).toBe('PARSE_ERROR');
    expect(e.message.length).toBeLessThan(300);
  });

  it('config body cut halfway → a typed error saying the connection closed early', async () => {
    const e = await failure(client().fileJson('f/cut-body', 'config.json', SHA));
    expect(['HUB_UNAVAILABLE', 'HUB_BAD_RESPONSE', 'PARSE_ERROR']).toContain(e.code);
    expect(e.message).toMatch(/closed before|truncated|not valid JSON/);
  });

  it('a Content-Length of 2 GiB → HUB_BAD_RESPONSE before reading the body', async () => {
    const e = await failure(client().fileJson('f/huge-length', 'config.json', SHA));
    expect(e.code).toBe('HUB_BAD_RESPONSE');
    expect(e.message).toMatch(/2147483648 bytes declared.*exceeds the 16777216-byte limit/);
  });

  it('follows a cross-host redirect without forwarding the token', async () => {
    const before = seenOther.length;
    const c = await client({ token: 'hf_secret' }).fileJson('f/cross-host', 'config.json', SHA);
    expect(c.num_hidden_layers).toBe(16);
    const hop = seenOther.slice(before);
    expect(hop).toHaveLength(1);
    expect(hop[0]!.authorization).toBeUndefined();
    expect(seen.filter((s) => s.path.includes('f/cross-host')).at(-1)!.authorization).toBe('Bearer hf_secret');
  });

  it.each([
    ['range-404', 'HUB_NOT_FOUND', /model\.safetensors does not exist/],
    ['range-500', 'HUB_UNAVAILABLE', /answered 500/],
  ])(
    'a range read answered %s is reported by its status, not as an ignored Range header',
    async (name, code, message) => {
      const e = await failure(client().fileRange(`f/${name}`, 'model.safetensors', 0, 8, SHA));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
      expect(e.message).not.toMatch(/Range/);
    },
  );

  it('a range read answered 200 with the whole file → HUB_BAD_RESPONSE naming the ignored Range header', async () => {
    const e = await failure(client().fileRange('f/range-ignored', 'model.safetensors', 0, 8, SHA));
    expect(e.code).toBe('HUB_BAD_RESPONSE');
    expect(e.message).toMatch(/the server ignored the Range header/);
  });

  it("clamps a huge --timeout to Node's timer limit instead of overflowing it (every request failed at once)", async () => {
    expect(resolveHubOptions({ timeoutMs: 2_147_484 * 1000, env: {} }).timeoutMs).toBe(MAX_TIMER_MS);
    const c = await client({ timeoutMs: 2_147_484 * 1000 }).fileJson('f/ok', 'config.json', SHA);
    expect(c.num_hidden_layers).toBe(16);
  });

  it('bounds a hung Hub by default: 20 s per attempt, 55 s per load, so it ends in under 60 s', () => {
    const o = resolveHubOptions({ env: {} });
    expect(o.timeoutMs).toBe(20_000);
    expect(o.totalTimeoutMs).toBeLessThan(60_000);
    // A longer --timeout stretches the total to one attempt of that length, never less.
    expect(resolveHubOptions({ timeoutMs: 90_000, env: {} }).totalTimeoutMs).toBe(90_000);
  });

  it('refuses a NaN or negative timeout with INVALID_INPUT', () => {
    expect(() => resolveHubOptions({ timeoutMs: Number.NaN, env: {} })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'timeoutMs' }),
    );
    expect(() => resolveHubOptions({ timeoutMs: -1, env: {} })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
