import type { CacheKey } from './cache-store.js';

/**
 * Encodes one key part as a file-system-safe name: `[A-Za-z0-9-]` kept, every other code point
 * written `_<hex>_`. The mapping is injective and never yields `.`, `..`, `/` or `\`, so no id,
 * revision or file name — hostile or not — can leave the cache directory.
 */
export function encodeCachePart(part: string): string {
  let out = '';
  for (const ch of part) {
    out += /^[A-Za-z0-9-]$/.test(ch) ? ch : `_${ch.codePointAt(0)!.toString(16)}_`;
  }
  return out.length === 0 ? '_' : out;
}

/** Inverse of {@link encodeCachePart}. */
export function decodeCachePart(encoded: string): string {
  if (encoded === '_') return '';
  return encoded.replace(/_([0-9a-f]+)_/g, (_m, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)));
}

/** The relative path of a cache entry: `<repo>/<revision>/<file>`, each part encoded. */
export function cacheEntryPath(key: CacheKey): [string, string, string] {
  return [encodeCachePart(key.repo), encodeCachePart(key.revision), encodeCachePart(key.file)];
}
