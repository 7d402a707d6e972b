import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheDirError } from '../cache/cache-dir-error.js';
import { CACHE_MARKER_FILE, createFsCacheStore, defaultCacheDir } from './fs-cache-store.js';

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
    expect(
      new TextDecoder().decode(await store.get({ repo: 'Qwen/Qwen3-8B', revision: 'main', file: 'config.json' })),
    ).toBe('{"a":1}');
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
    const [repoDir] = (await readdir(join(dir, 'cache'))).filter((n) => n !== CACHE_MARKER_FILE);
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

/** Every file under `root` with its content, relative paths sorted. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const p = join(e.parentPath, e.name);
      out[p.slice(root.length + 1)] = await readFile(p, 'utf8');
    }
  }
  return out;
}

describe('createFsCacheStore on a folder vramkit did not create (issue #15: cache clear deleted everything)', () => {
  async function foreignFolder(): Promise<Record<string, string>> {
    await mkdir(join(dir, 'photos', '2020'), { recursive: true });
    await writeFile(join(dir, 'notes.txt'), 'my notes');
    await writeFile(join(dir, 'photos', '2020', 'img'), 'jpeg bytes');
    await writeFile(join(dir, 'photos', '2020', 'img.jpg'), 'more bytes');
    return snapshot(dir);
  }

  it('refuses clear with CACHE_UNUSABLE naming the folder and why, deleting nothing', async () => {
    const before = await foreignFolder();
    const store = createFsCacheStore(dir);
    const err = await store.clear().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheDirError);
    expect(err).toMatchObject({ code: 'CACHE_UNUSABLE', dir, path: 'cache.dir' });
    expect((err as Error).message).toContain(dir);
    expect((err as Error).message).toMatch(/did not write.*\.vramkit-cache marker.*Nothing was deleted/);
    await expect(store.clear({ repo: 'photos' })).rejects.toBeInstanceOf(CacheDirError);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses to write or list there, and reads nothing from it', async () => {
    const before = await foreignFolder();
    const store = createFsCacheStore(dir);
    await expect(store.set({ repo: 'a/b', revision: 'main', file: 'config.json' }, bytes('{}'))).rejects.toBeInstanceOf(
      CacheDirError,
    );
    await expect(store.list()).rejects.toBeInstanceOf(CacheDirError);
    expect(await store.get({ repo: 'photos', revision: '2020', file: 'img' })).toBeUndefined();
    expect(await snapshot(dir)).toEqual(before);
  });

  it('writes the marker into a new or empty folder, and clear then keeps files outside the entry layout', async () => {
    const store = createFsCacheStore(join(dir, 'new'));
    await store.set({ repo: 'a/b', revision: 'main', file: 'config.json' }, bytes('{}'));
    expect(await readdir(join(dir, 'new'))).toContain(CACHE_MARKER_FILE);
    await writeFile(join(dir, 'new', 'README'), 'kept');
    await mkdir(join(dir, 'new', 'a_2f_b', 'main', 'sub'), { recursive: true });
    await writeFile(join(dir, 'new', 'a_2f_b', 'main', 'sub', 'x'), 'kept too');
    await writeFile(join(dir, 'new', 'a_2f_b', 'main', 'x.txt'), 'kept three');
    expect(await store.clear()).toBe(1);
    expect(await snapshot(join(dir, 'new'))).toEqual({
      [CACHE_MARKER_FILE]: expect.stringContaining('vramkit'),
      README: 'kept',
      [join('a_2f_b', 'main', 'sub', 'x')]: 'kept too',
      [join('a_2f_b', 'main', 'x.txt')]: 'kept three',
    });
  });

  it('refuses a path that is a file', async () => {
    await writeFile(join(dir, 'f'), 'x');
    await expect(createFsCacheStore(join(dir, 'f')).clear()).rejects.toMatchObject({
      code: 'CACHE_UNUSABLE',
      message: expect.stringMatching(/not a directory/),
    });
  });
});

describe('createFsCacheStore checksums (issue #15: a tampered entry was used as is)', () => {
  it('reads back what it wrote, and refuses an entry edited, truncated or replaced by hand', async () => {
    const store = createFsCacheStore(dir);
    const key = { repo: 'a/b', revision: 'main', file: 'config.json' };
    await store.set(key, bytes('{"num_hidden_layers":16}'));
    expect(new TextDecoder().decode(await store.get(key))).toBe('{"num_hidden_layers":16}');
    expect((await store.list())[0]!.bytes).toBe(24);
    const path = join(dir, 'a_2f_b', 'main', 'config_2e_json');
    const stored = await readFile(path, 'utf8');
    for (const tampered of [stored.replace('16', '1000000000'), stored.slice(0, -3), '{"num_hidden_layers":16}']) {
      await writeFile(path, tampered);
      await expect(store.get(key)).rejects.toMatchObject({
        code: 'CACHE_UNUSABLE',
        message: expect.stringMatching(/checksum does not match/),
      });
    }
  });
});
