import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { cacheEntryPath, decodeCachePart, encodeCachePart } from '../cache/cache-key.js';
import type { CacheEntryInfo, CacheStore } from '../cache/cache-store.js';

/**
 * The cache directory: `VRAMKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/vramkit` (XDG Base Directory
 * spec), else `%LOCALAPPDATA%\vramkit\cache` on Windows, else `~/.cache/vramkit`.
 * @param env environment to read (default `process.env`)
 */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.VRAMKIT_CACHE_DIR) return env.VRAMKIT_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'vramkit');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'vramkit', 'cache');
  return join(homedir(), '.cache', 'vramkit');
}

/**
 * A {@link CacheStore} in a directory: `<dir>/<repo>/<revision>/<file>`, every part encoded by
 * `encodeCachePart` (no traversal), written atomically (temporary file + rename).
 * @param dir the cache directory (default {@link defaultCacheDir})
 */
export function createFsCacheStore(dir: string = defaultCacheDir()): CacheStore {
  return {
    async get(key) {
      try {
        return new Uint8Array(await readFile(join(dir, ...cacheEntryPath(key))));
      } catch {
        return undefined;
      }
    },
    async set(key, value) {
      const [r, v, f] = cacheEntryPath(key);
      const folder = join(dir, r, v);
      await mkdir(folder, { recursive: true });
      const tmp = join(folder, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
      await writeFile(tmp, value);
      await rename(tmp, join(folder, f));
    },
    async list() {
      const out: CacheEntryInfo[] = [];
      for (const r of await entries(dir)) {
        for (const v of await entries(join(dir, r))) {
          for (const f of await entries(join(dir, r, v))) {
            if (f.startsWith('.tmp-')) continue;
            const s = await stat(join(dir, r, v, f)).catch(() => undefined);
            if (!s?.isFile()) continue;
            out.push({ repo: decodeCachePart(r), revision: decodeCachePart(v), file: decodeCachePart(f), bytes: s.size, modified: s.mtime });
          }
        }
      }
      return out.sort((a, b) => a.repo.localeCompare(b.repo) || a.revision.localeCompare(b.revision) || a.file.localeCompare(b.file));
    },
    async clear(filter) {
      const repos = filter?.repo ? [encodeCachePart(filter.repo)] : await entries(dir);
      let n = 0;
      for (const r of repos) {
        for (const v of await entries(join(dir, r))) n += (await entries(join(dir, r, v))).filter((f) => !f.startsWith('.tmp-')).length;
        await rm(join(dir, r), { recursive: true, force: true });
      }
      return n;
    },
  };
}

async function entries(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).filter((n) => n !== '.' && n !== '..');
  } catch {
    return [];
  }
}
