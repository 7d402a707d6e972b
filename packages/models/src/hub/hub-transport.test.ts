import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoFromConfig } from '../testing/fixture-repos.js';
import { type HubServer, startHubServer } from '../testing/hub-server.js';
import { listCatalogue } from '../catalogue/catalogue.js';
import { HubClient } from './hub-client.js';
import { HubFetchError, ModelParseError } from './errors.js';

let server: HubServer;
const ID = 'Qwen/Qwen3-0.6B';

beforeAll(async () => {
  const cfg = listCatalogue().find((c) => c.id === ID)!.config;
  server = await startHubServer([repoFromConfig(ID, cfg, { shards: 1 })]);
});
afterAll(() => server.close());

const client = (extra: ConstructorParameters<typeof HubClient>[0] = {}) =>
  new HubClient({ endpoint: server.url, retries: 3, retryBaseMs: 1, timeoutMs: 3000, env: {}, ...extra });

describe('HubTransport', () => {
  it('retries two 429s (Retry-After: 0) and succeeds on the 3rd attempt', async () => {
    server.reset();
    server.faults.failFirst = { match: '/api/models/', status: 429, count: 2 };
    try {
      const c = client();
      const info = await c.modelInfo(ID);
      expect(info.safetensors?.total).toBeGreaterThan(0);
      expect(c.transport.stats.requests).toBe(3);
      expect(server.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    } finally {
      server.faults.failFirst = undefined;
    }
  });

  it('gives up after 1 + 2 retries on a persistent 503 with HUB_UNAVAILABLE', async () => {
    server.reset();
    server.faults.failFirst = { match: '/api/models/', status: 503, count: 100 };
    try {
      const err = await client({ retries: 2 })
        .modelInfo(ID)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HubFetchError);
      expect(err).toMatchObject({ code: 'HUB_UNAVAILABLE', status: 503 });
      expect(server.requests).toHaveLength(3);
    } finally {
      server.faults.failFirst = undefined;
    }
  });

  it('reports a persistent 429 as HUB_RATE_LIMITED', async () => {
    server.faults.failFirst = { match: '/api/models/', status: 429, count: 100 };
    try {
      const err = await client({ retries: 1 })
        .modelInfo(ID)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'HUB_RATE_LIMITED', status: 429 });
    } finally {
      server.faults.failFirst = undefined;
    }
  });

  it('turns a Hub that never answers into HUB_TIMEOUT after 2 attempts of 150 ms', async () => {
    server.faults.hangOn = '/api/models/';
    try {
      const err = await client({ retries: 1, timeoutMs: 150 })
        .modelInfo(ID)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'HUB_TIMEOUT' });
      expect((err as Error).message).toMatch(/150 ms.*2 attempt/);
    } finally {
      server.faults.hangOn = undefined;
    }
  });

  it('turns an HTML page where JSON was expected into PARSE_ERROR', async () => {
    server.faults.nonJsonApi = true;
    try {
      const err = await client()
        .modelInfo(ID)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelParseError);
      expect(err).toMatchObject({ code: 'PARSE_ERROR' });
    } finally {
      server.faults.nonJsonApi = false;
    }
  });

  it('refuses a body larger than asked (a server that ignores Range) with HUB_BAD_RESPONSE', async () => {
    server.faults.ignoreRange = true;
    try {
      const err = await client()
        .fileRange(ID, 'model.safetensors', 0, 8)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'HUB_BAD_RESPONSE' });
    } finally {
      server.faults.ignoreRange = false;
    }
  });

  it('reports a closed port as HUB_UNAVAILABLE after 1 attempt (no retries for ECONNREFUSED)', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const closed = await closedPort();
    const err = await new HubClient({
      endpoint: `http://127.0.0.1:${closed}`,
      retries: 3,
      retryBaseMs: 1000,
      fetch: counting,
      env: {},
    })
      .modelInfo(ID)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HUB_UNAVAILABLE' });
    expect(calls).toBe(1);
  });

  it('sends no Authorization header to a host other than the endpoint', () => {
    const c = client({ token: 'hf_secret' });
    expect(c.transport.authHeaders(`${server.url}/x`)).toEqual({ Authorization: 'Bearer hf_secret' });
    expect(c.transport.authHeaders('https://cdn.example.com/x')).toEqual({});
  });

  it('rejects ids and paths that could leave the repository (../, absolute, backslash)', () => {
    const c = client();
    expect(() => c.fileUrl('../etc', 'config.json')).toThrow(/not a Hub model id/);
    expect(() => c.fileUrl(ID, '../../secret')).toThrow(/relative path/);
    expect(() => c.fileUrl(ID, '/abs')).toThrow(/relative path/);
    expect(() => c.fileUrl(ID, 'a\\b')).toThrow(/relative path/);
    expect(() => c.fileUrl(ID, 'config.json', '../main')).toThrow(/revision/);
  });
});

/** A loopback port with nothing listening: bound, read, released. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
