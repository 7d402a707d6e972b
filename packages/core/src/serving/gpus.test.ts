import { describe, expect, it } from 'vitest';
import { GB, GIB } from '../memory/units.js';
import { customGpu, GPUS, gpuCapacityBytes, lookupGpu } from './gpus.js';
import { NoSuchGpuError } from './no-such-gpu-error.js';

describe('GPUS', () => {
  it('has unique lower-case ids', () => {
    const ids = GPUS.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('gives every entry a source, integer bytes between 4 GiB and 512 GiB, and bandwidth between 60 and 10,000 GB/s', () => {
    for (const g of GPUS) {
      expect(g.source.length, g.id).toBeGreaterThan(10);
      expect(Number.isInteger(g.memoryBytes), g.id).toBe(true);
      expect(g.memoryBytes).toBeGreaterThanOrEqual(4 * GIB);
      expect(g.memoryBytes).toBeLessThanOrEqual(512 * GIB);
      expect(g.bandwidthGBps).toBeGreaterThanOrEqual(60);
      expect(g.bandwidthGBps).toBeLessThanOrEqual(10_000);
      expect(g.tflops.fp32).toBeGreaterThan(0);
      expect(g.tflops.fp16).toBeGreaterThan(0);
    }
  });

  it('keeps CUDA-reported totals below installed memory, within 8%, each with its source', () => {
    for (const g of GPUS) {
      if (!('cudaTotalBytes' in g)) continue;
      expect(g.cudaTotalBytes, g.id).toBeLessThanOrEqual(g.memoryBytes);
      expect(g.cudaTotalBytes / g.memoryBytes, g.id).toBeGreaterThan(0.92);
      expect(g.cudaTotalSource.length).toBeGreaterThan(10);
    }
  });

  it('orders tensor throughput sensibly: int8 ≥ fp8 ≥ bf16 = fp16 ≥ fp32 on tensor-core parts', () => {
    for (const g of GPUS) {
      const t = g.tflops as { fp32: number; fp16: number; bf16?: number; fp8?: number; int8?: number };
      if (t.bf16 !== undefined) expect(t.bf16).toBe(t.fp16);
      if (t.fp8 !== undefined) expect(t.fp8).toBeGreaterThanOrEqual(t.fp16);
      if (t.int8 !== undefined && t.fp8 !== undefined) expect(t.int8).toBeGreaterThanOrEqual(t.fp8);
      if (t.bf16 !== undefined) expect(t.fp16).toBeGreaterThanOrEqual(t.fp32);
    }
  });

  it('covers the seed-001 laptop tiers 8/12/16/24 GB (RTX 5070/5070 Ti/5080/5090 Laptop)', () => {
    expect(
      ['rtx-5070-laptop', 'rtx-5070-ti-laptop', 'rtx-5080-laptop', 'rtx-5090-laptop'].map(
        (id) => lookupGpu(id).memoryBytes / GIB,
      ),
    ).toEqual([8, 12, 16, 24]);
  });
});

describe('gpuCapacityBytes', () => {
  it("uses CUDA's 25,757,220,864 bytes for the RTX 4090, not 24 GB", () => {
    expect(gpuCapacityBytes(lookupGpu('rtx-4090'))).toBe(25_757_220_864);
    expect(25_757_220_864).toBeGreaterThan(24 * GB);
  });

  it('gives an M2 Ultra 192 GB 3/4 of its memory (147,456 MiB, Metal recommendedMaxWorkingSetSize) and an M2 16 GB 2/3', () => {
    expect(gpuCapacityBytes(lookupGpu('m2-ultra-192gb')) / 2 ** 20).toBe(147_456);
    expect(gpuCapacityBytes(lookupGpu('m2-16gb')) / 2 ** 20).toBeCloseTo(10_922.67, 1);
  });

  it('returns a custom capacity as given (--gpu-memory 23.58GiB)', () => {
    expect(gpuCapacityBytes(customGpu(Math.round(23.58 * GIB)))).toBe(Math.round(23.58 * GIB));
  });
});

describe('lookupGpu', () => {
  it('forgives case and spacing: "RTX 4090" and "NVIDIA H100-80GB"', () => {
    expect(lookupGpu('RTX 4090').id).toBe('rtx-4090');
    expect(lookupGpu('NVIDIA H100-80GB').id).toBe('h100-80gb');
  });

  it('throws NO_SUCH_GPU with close matches for "rtx-4900"', () => {
    try {
      lookupGpu('rtx-4900');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NoSuchGpuError);
      const err = e as NoSuchGpuError;
      expect(err.code).toBe('NO_SUCH_GPU');
      expect(err.suggestions).toContain('rtx-4090');
      expect(err.message).toMatch(/vramkit gpus/);
    }
  });
});
