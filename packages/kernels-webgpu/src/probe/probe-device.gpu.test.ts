import { afterAll, describe, expect, it } from 'vitest';
import { testGpu } from '../__fixtures__/gpu-device.js';
import { probeDevice } from './probe-device.js';

const gpu = await testGpu();
afterAll(() => gpu?.device.destroy());

describe.runIf(gpu)('probeDevice', () => {
  it('measures bandwidth and GFLOP/s on the adapter and names it a CPU adapter (SwiftShader)', async () => {
    const device = gpu!.device;
    device.pushErrorScope('validation');
    const p = await probeDevice(device, { quick: true });
    expect(await device.popErrorScope()).toBeNull();
    expect(Object.keys(p).sort()).toEqual(['adapter', 'bandwidth', 'isCpuAdapter', 'matmul']);
    expect(Object.keys(p.bandwidth).sort()).toEqual(['bytes', 'copyGBps', 'readGBps']);
    expect(p.bandwidth.bytes).toBe(16 * 1024 * 1024);
    expect(p.bandwidth.readGBps).toBeGreaterThan(0);
    expect(p.bandwidth.copyGBps).toBeGreaterThan(0);
    expect(p.matmul.gflops).toBeGreaterThan(0);
    expect(p.adapter).toMatch(/swiftshader/i);
    expect(p.isCpuAdapter).toBe(true);
  });
});
