import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CacheDirError, CacheEntryError } from '../cache/cache-dir-error.js';
import { cacheEntryPath, decodeCachePart, encodeCachePart } from '../cache/cache-key.js';
import type { CacheEntryInfo, CacheStore } from '../cache/cache-store.js';

/**
 * The marker file vramkit writes in the root of a cache directory it creates (or finds empty).
 * `clear` refuses a directory without it, so pointing `VRAMKIT_CACHE_DIR` at a folder of your own
 * never deletes your files.
 */
export const CACHE_MARKER_FILE = '.vramkit-cache';
const MARKER_TEXT = `${JSON.stringify({ tool: 'vramkit', kind: 'cache', layout: 1 })}\n`;

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

// Every entry starts with one line `vramkit-cache-entry v1 sha256=<hex> bytes=<n>`, so a file edited,
// truncated or replaced by hand is detected on read and treated as absent (the loader refetches it).
const ENTRY_MAGIC = 'vramkit-cache-entry v1';
const HEADER = /^vramkit-cache-entry v1 sha256=([0-9a-f]{64}) bytes=(\d{1,12})\n/;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The stored form of a value: the checksum line, then the bytes. */
function seal(value: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`${ENTRY_MAGIC} sha256=${sha256(value)} bytes=${value.byteLength}\n`);
  const out = new Uint8Array(head.byteLength + value.byteLength);
  out.set(head);
  out.set(value, head.byteLength);
  return out;
}

/**
 * The value of a stored entry, or undefined when its checksum line is missing or does not match
 * (the entry was tampered with, truncated, or written by another tool).
 */
function unseal(stored: Uint8Array): Uint8Array | undefined {
  const head = new TextDecoder().decode(stored.subarray(0, 128));
  const m = HEADER.exec(head);
  if (!m) return undefined;
  const start = new TextEncoder().encode(m[0]).byteLength;
  const value = stored.subarray(start);
  if (value.byteLength !== Number(m[2]) || sha256(value) !== m[1]) return undefined;
  return value.slice();
}

/** The value's size from the stored file's size (the checksum line's length depends on it). */
function valueBytes(stored: number): number {
  const fixed = `${ENTRY_MAGIC} sha256=${'0'.repeat(64)} bytes=\n`.length;
  for (let digits = 1; digits <= 12; digits++) {
    const n = stored - fixed - digits;
    if (n >= 0 && String(n).length === digits) return n;
  }
  return stored;
}

/** What a directory is, for the cache: absent, vramkit's (marker present), empty, or someone else's. */
type DirState = 'absent' | 'ours' | 'empty' | 'foreign';

async function dirState(dir: string): Promise<DirState> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'absent';
    if (code === 'ENOTDIR') throw new CacheDirError(dir, 'it is a file, not a directory', { cause: e });
    throw new CacheDirError(dir, `it cannot be read (${code ?? 'error'})`, { cause: e });
  }
  if (names.includes(CACHE_MARKER_FILE)) return 'ours';
  return names.length === 0 ? 'empty' : 'foreign';
}

const foreignReason = `it holds files vramkit did not write (no ${CACHE_MARKER_FILE} marker file)`;

/** A name vramkit could have written: the encoding of some string (so `encode(decode(n)) === n`). */
function isEncodedName(name: string): boolean {
  try {
    return encodeCachePart(decodeCachePart(name)) === name;
  } catch {
    return false;
  }
}

/**
 * A {@link CacheStore} in a directory: `<dir>/<repo>/<revision>/<file>`, every part encoded by
 * `encodeCachePart` (no traversal), written atomically (temporary file + rename). The first write
 * into a new or empty directory leaves a {@link CACHE_MARKER_FILE}; a directory that has files but
 * no marker is never written to, listed or cleared ({@link CacheDirError}), and `clear` deletes only
 * files in the entry layout, so nothing the user put there is lost. Each entry carries a SHA-256 of its
 * value; `get` throws {@link CacheEntryError} for one that does not match.
 * @param dir the cache directory (default {@link defaultCacheDir})
 */
export function createFsCacheStore(dir: string = defaultCacheDir()): CacheStore {
  let known: DirState | undefined;
  const state = async (): Promise<DirState> => {
    if (known === 'ours') return known;
    known = await dirState(dir);
    return known;
  };
  const claim = async (): Promise<void> => {
    const s = await state();
    if (s === 'ours') return;
    if (s === 'foreign') throw new CacheDirError(dir, foreignReason);
    await mkdir(dir, { recursive: true });
    try {
      await writeFile(join(dir, CACHE_MARKER_FILE), MARKER_TEXT, { flag: 'wx' });
    } catch (e) {
      // Another vramkit process wrote it first: fine.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    known = 'ours';
  };
  return {
    async get(key) {
      if ((await state().catch(() => 'foreign' as const)) !== 'ours') return undefined;
      let stored: Uint8Array;
      try {
        stored = new Uint8Array(await readFile(join(dir, ...cacheEntryPath(key))));
      } catch {
        return undefined;
      }
      const value = unseal(stored);
      if (value === undefined)
        throw new CacheEntryError(key, 'its checksum does not match (edited, truncated or not written by vramkit)');
      return value;
    },
    async set(key, value) {
      await claim();
      const [r, v, f] = cacheEntryPath(key);
      const folder = join(dir, r, v);
      await mkdir(folder, { recursive: true });
      const tmp = join(folder, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
      await writeFile(tmp, seal(value));
      await rename(tmp, join(folder, f));
    },
    async list() {
      const s = await state();
      if (s === 'foreign') throw new CacheDirError(dir, foreignReason);
      if (s !== 'ours') return [];
      const out: CacheEntryInfo[] = [];
      for (const { r, v, f, path } of await entryFiles(dir)) {
        if (f.startsWith('.tmp-')) continue;
        const st = await stat(path).catch(() => undefined);
        if (!st?.isFile()) continue;
        out.push({
          repo: decodeCachePart(r),
          revision: decodeCachePart(v),
          file: decodeCachePart(f),
          bytes: valueBytes(st.size),
          modified: st.mtime,
        });
      }
      return out.sort(
        (a, b) => a.repo.localeCompare(b.repo) || a.revision.localeCompare(b.revision) || a.file.localeCompare(b.file),
      );
    },
    async clear(filter) {
      const s = await state();
      if (s === 'foreign') throw new CacheDirError(dir, foreignReason);
      if (s !== 'ours') return 0;
      const repo = filter?.repo === undefined ? undefined : encodeCachePart(filter.repo);
      let n = 0;
      const touched = new Set<string>();
      for (const e of await entryFiles(dir, repo)) {
        const st = await stat(e.path).catch(() => undefined);
        if (!st?.isFile()) continue;
        await unlink(e.path).catch(() => undefined);
        if (!e.f.startsWith('.tmp-')) n++;
        touched.add(join(e.r, e.v));
      }
      // Remove only folders left empty; anything else in them stays.
      for (const rv of touched) {
        await rmdir(join(dir, rv)).catch(() => undefined);
        await rmdir(join(dir, rv, '..')).catch(() => undefined);
      }
      return n;
    },
  };
}

/** Files in the entry layout `<repo>/<revision>/<file>` (every level an encoded name), plus temporaries. */
async function entryFiles(
  dir: string,
  onlyRepo?: string,
): Promise<{ r: string; v: string; f: string; path: string }[]> {
  const out: { r: string; v: string; f: string; path: string }[] = [];
  const repos = onlyRepo === undefined ? await entries(dir) : [onlyRepo];
  for (const r of repos) {
    if (!isEncodedName(r)) continue;
    for (const v of await entries(join(dir, r))) {
      if (!isEncodedName(v)) continue;
      for (const f of await entries(join(dir, r, v))) {
        if (f.startsWith('.tmp-') || isEncodedName(f)) out.push({ r, v, f, path: join(dir, r, v, f) });
      }
    }
  }
  return out;
}

async function entries(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).filter((n) => n !== '.' && n !== '..');
  } catch {
    return [];
  }
}
