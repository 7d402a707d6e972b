import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsCacheStore, defaultCacheDir } from './fs-cache-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vramkit-cache-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const bytes = (s: string) => new TextEncoder().encode(s);

describe('createFsCacheStore', () => {
  it('stores, reads back, lists 2 entries with sizes and clears one repository', async () => {
    const store = createFsCacheStore(dir);
    await store.set({ repo: 'Qwen/Qwen3-8B', revision: 'main', file: 'config.json' }, bytes('{"a":1}'));
    await store.set({ repo: 'meta-llama/Llama-3.1-8B', revision: 'abc', file: 'vramkit/model-info.json' }, bytes('{}'));
    expect(new TextDecoder().decode(await store.get({ repo: 'Qwen/Qwen3-8B', revision: 'main', file: 'config.json' }))).toBe('{"a":1}');
    const list = await store.list();
    expect(list.map((e) => [e.repo, e.revision, e.file, e.bytes])).toEqual([
      ['meta-llama/Llama-3.1-8B', 'abc', 'vramkit/model-info.json', 2],
      ['Qwen/Qwen3-8B', 'main', 'config.json', 7],
    ]);
    expect(await store.clear({ repo: 'Qwen/Qwen3-8B' })).toBe(1);
    expect((await store.list()).map((e) => e.repo)).toEqual(['meta-llama/Llama-3.1-8B']);
    expect(await store.clear()).toBe(1);
    expect(await store.list()).toEqual([]);
  });

  it('keeps hostile keys inside the cache directory and leaves no temporary files', async () => {
    const store = createFsCacheStore(join(dir, 'cache'));
    await store.set({ repo: '../../outside', revision: '..', file: '../../../x' }, bytes('x'));
    expect(await readdir(dir)).toEqual(['cache']);
    const [repoDir] = await readdir(join(dir, 'cache'));
    const [revDir] = await readdir(join(dir, 'cache', repoDir!));
    expect(await readdir(join(dir, 'cache', repoDir!, revDir!))).toEqual(['_2e__2e__2f__2e__2e__2f__2e__2e__2f_x']);
  });

  it('returns undefined for a missing entry', async () => {
    expect(await createFsCacheStore(dir).get({ repo: 'a/b', revision: 'main', file: 'config.json' })).toBeUndefined();
  });
});

describe('defaultCacheDir', () => {
  it('prefers VRAMKIT_CACHE_DIR, then XDG_CACHE_HOME/vramkit', () => {
    expect(defaultCacheDir({ VRAMKIT_CACHE_DIR: '/x', XDG_CACHE_HOME: '/y' })).toBe('/x');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/y' })).toBe(join('/y', 'vramkit'));
  });
});
