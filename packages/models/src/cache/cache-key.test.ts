import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheEntryPath, decodeCachePart, encodeCachePart } from './cache-key.js';

describe('encodeCachePart', () => {
  it('keeps [A-Za-z0-9-] and escapes everything else: "Qwen/Qwen3-8B" → "Qwen_2f_Qwen3-8B"', () => {
    expect(encodeCachePart('Qwen/Qwen3-8B')).toBe('Qwen_2f_Qwen3-8B');
    expect(encodeCachePart('..')).toBe('_2e__2e_');
    expect(encodeCachePart('')).toBe('_');
  });

  it('never yields a path separator, "." or ".." and always decodes back (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const e = encodeCachePart(s);
        expect(e).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(e === '.' || e === '..').toBe(false);
        expect(decodeCachePart(e)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('is injective on distinct inputs (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        if (a !== b) expect(encodeCachePart(a)).not.toBe(encodeCachePart(b));
      }),
    );
  });
});

describe('cacheEntryPath', () => {
  it('turns a traversal attempt into three plain names', () => {
    expect(cacheEntryPath({ repo: '../../etc', revision: '/', file: '../passwd' })).toEqual([
      '_2e__2e__2f__2e__2e__2f_etc',
      '_2f_',
      '_2e__2e__2f_passwd',
    ]);
  });
});
