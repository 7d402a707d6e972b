import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsCacheStore } from '@vramkit/models/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Io } from '../command.js';
import { main } from '../main.js';
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
    await expect(Promise.resolve(cacheCommand.run({ positionals: ['purge'], values: {} }, io()))).rejects.toMatchObject(
      { code: 'INVALID_INPUT' },
    );
  });

  it('refuses to clear a folder vramkit did not create, via --dir and VRAMKIT_CACHE_DIR, and every file stays (issue #15)', async () => {
    await mkdir(join(dir, 'src', 'deep'), { recursive: true });
    await writeFile(join(dir, 'thesis.tex'), 'years of work');
    await writeFile(join(dir, 'src', 'deep', 'main'), 'code');
    const before = await snapshot(dir);
    for (const [argv, env] of [
      [['cache', 'clear', '--dir', dir], {}],
      [['cache', 'clear'], { VRAMKIT_CACHE_DIR: dir }],
      [['cache', 'clear', 'src/deep'], { VRAMKIT_CACHE_DIR: dir }],
    ] as const) {
      let err = '';
      let out = '';
      const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t), env: { ...env }, cwd: dir });
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toContain(dir);
      expect(err).toMatch(/did not write.*Nothing was deleted/);
      expect(await snapshot(dir)).toEqual(before);
    }
  });
});

async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[join(e.parentPath, e.name)] = await readFile(join(e.parentPath, e.name), 'utf8');
  }
  return out;
}
