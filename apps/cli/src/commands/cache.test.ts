import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsCacheStore } from '@vramkit/models/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Io } from '../command.js';
import { cacheCommand } from './cache.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vramkit-cli-cache-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function io(): Io & { text: () => string } {
  let out = '';
  return { out: (t) => (out += t), err: (t) => (out += t), env: { VRAMKIT_CACHE_DIR: dir }, cwd: dir, text: () => out };
}

describe('cacheCommand', () => {
  it('lists 2 cached entries, clears 1 repository, then reports an empty cache', async () => {
    const store = createFsCacheStore(dir);
    await store.set({ repo: 'Qwen/Qwen3-8B', revision: 'main', file: 'config.json' }, new Uint8Array(700));
    await store.set({ repo: 'meta-llama/Llama-3.1-8B', revision: 'main', file: 'config.json' }, new Uint8Array(800));
    const a = io();
    expect(await cacheCommand.run({ positionals: ['list'], values: {} }, a)).toBe(0);
    expect(a.text()).toMatch(/Qwen\/Qwen3-8B.*config\.json.*700/);
    expect(a.text()).toMatch(/2 entries/);
    const b = io();
    await cacheCommand.run({ positionals: ['clear', 'Qwen/Qwen3-8B'], values: {} }, b);
    expect(b.text()).toMatch(/removed 1 cached entry of Qwen\/Qwen3-8B/);
    const c = io();
    await cacheCommand.run({ positionals: ['list'], values: { json: true } }, c);
    expect(JSON.parse(c.text()).entries).toHaveLength(1);
    const d = io();
    await cacheCommand.run({ positionals: ['clear'], values: {} }, d);
    const e = io();
    await cacheCommand.run({ positionals: ['list'], values: {} }, e);
    expect(e.text()).toMatch(/cache is empty/);
  });

  it('rejects an unknown action with INVALID_INPUT', async () => {
    await expect(Promise.resolve(cacheCommand.run({ positionals: ['purge'], values: {} }, io()))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
