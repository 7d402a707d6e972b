import { afterAll, describe, expect, it } from 'vitest';
import { randomFloats, testGpu } from '../__fixtures__/gpu-device.js';
import { measureBandwidth, streamSumAndCopy } from './bandwidth.js';

const gpu = await testGpu();
afterAll(() => gpu?.device.destroy());

describe.runIf(gpu)('bandwidth kernels', () => {
  const device = gpu!.device;

  it('read sums every element and copy copies every element (more elements than invocations)', async () => {
    const values = randomFloats(4 * 5000, 41);
    const { sum, copy } = await streamSumAndCopy(device, values, 2);
    let expected = 0;
    for (const x of values) expected += x;
    expect(Math.abs(sum - expected)).toBeLessThan(1e-3);
    expect(copy).toEqual(values);
  });

  it('reports positive GB/s for a 1 MiB stream and the three buffers it used', async () => {
    const r = await measureBandwidth(device, { bytes: 1024 * 1024, repeats: 2, workgroups: 64 });
    expect(r.bytes).toBe(1024 * 1024);
    expect(r.readGBps).toBeGreaterThan(0);
    expect(r.copyGBps).toBeGreaterThan(0);
    expect(r.memory.buffers.map((b) => [b.role, b.bytes])).toEqual([
      ['source', 1024 * 1024],
      ['partial_sums', 64 * 256 * 4],
      ['destination', 1024 * 1024],
    ]);
  });

  it('rejects a size that is not a multiple of 16 bytes', async () => {
    await expect(measureBandwidth(device, { bytes: 1000 })).rejects.toThrow(/bandwidth.bytes/);
  });
});
