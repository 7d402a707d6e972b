import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randomFloats, testGpu, withValidation } from '../__fixtures__/gpu-device.js';
import { createMatmul } from './matmul.js';

const gpu = await testGpu();
afterAll(() => gpu?.device.destroy());

function cpuMatmul(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return c;
}

describe.runIf(gpu)('createMatmul', () => {
  const device = gpu!.device;

  // Shapes that are not multiples of the 64 tile or the 16 step exercise every edge guard.
  it.each([
    { m: 64, n: 64, k: 64 },
    { m: 70, n: 33, k: 45 },
    { m: 1, n: 130, k: 17 },
  ])('multiplies $m × $k by $k × $n within 1e-4 of float64', async ({ m, n, k }) => {
    const a = randomFloats(m * k, 31);
    const b = randomFloats(k * n, 32);
    const mm = await createMatmul(device, { m, n, k });
    expect(mm.messages.filter((x) => x.type === 'error')).toEqual([]);
    await withValidation(device, async () => {
      mm.write(a, b);
      await mm.run();
    });
    expect(maxAbsDiff(await mm.read(), cpuMatmul(a, b, m, n, k))).toBeLessThan(1e-4);
    expect(mm.flops).toBe(2 * m * n * k);
    expect(mm.memory().bytes).toBe((m * k + k * n + m * n) * 4);
    mm.destroy();
  });

  it('rejects a zero dimension with INVALID_INPUT', async () => {
    await expect(createMatmul(device, { m: 0, n: 4, k: 4 })).rejects.toThrow(/matmul.m/);
  });
});
