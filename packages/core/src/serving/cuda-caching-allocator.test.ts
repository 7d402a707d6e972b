import { describe, expect, it } from 'vitest';
import { MIB } from '../memory/units.js';
import { cudaAllocatedBytes } from './cuda-caching-allocator.js';

describe('cudaAllocatedBytes (PyTorch CUDACachingAllocator, default config)', () => {
  it('rounds a small request to 512 B inside a 2 MiB small-pool segment', () => {
    expect(cudaAllocatedBytes([100])).toEqual({ allocated: 512, reserved: 2 * MIB, requested: 100 });
  });

  it('keeps a ≥ 10 MiB request in a segment rounded to 2 MiB, remainder ≤ 1 MiB unsplit: 73.6875 MiB → 74 MiB', () => {
    // opt-125m's padded embedding: 50,304 × 768 × 2 B.
    expect(cudaAllocatedBytes([50_304 * 768 * 2]).allocated).toBe(74 * MIB);
  });

  it('splits 20 MiB segments for 1–10 MiB requests and opens a new one when the rest is too small', () => {
    // 4.5 MiB × 5: 20 → 15.5 → 11 → 6.5 → 2 MiB left (split: > 1 MiB); the fifth needs a new segment.
    expect(cudaAllocatedBytes(Array(5).fill(4.5 * MIB))).toEqual({
      allocated: 22.5 * MIB,
      reserved: 40 * MIB,
      requested: 22.5 * MIB,
    });
  });

  it('hands out the whole rest of a segment when splitting would leave ≤ 1 MiB', () => {
    // 9.5 MiB from a fresh 20 MiB segment leaves 10.5 MiB; the second 9.5 MiB takes it and 1 MiB is not split off.
    expect(cudaAllocatedBytes([9.5 * MIB, 9.5 * MIB]).allocated).toBe(20 * MIB);
  });
});
