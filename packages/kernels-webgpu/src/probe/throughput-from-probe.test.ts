import { plainFormats } from '@vramkit/core';
import { catalogueModel } from '@vramkit/models';
import { describe, expect, it } from 'vitest';
import type { DeviceProbe } from './probe-device.js';
import { decodeTokensPerSecondFromProbe, prefillTokensPerSecondFromProbe } from './throughput-from-probe.js';

const probe: DeviceProbe = {
  bandwidth: { readGBps: 100, copyGBps: 90, bytes: 256 * 2 ** 20 },
  matmul: { gflops: 1000 },
  adapter: 'test adapter',
  isCpuAdapter: false,
};
const llama = catalogueModel('meta-llama/Llama-3.1-8B').architecture;
// Llama 3.1 8B: 8,030,261,248 parameters, of which the 128,256 × 4,096 token embedding is a lookup.
const readBytes = (8_030_261_248 - 128_256 * 4096) * 2;

describe('decodeTokensPerSecondFromProbe', () => {
  it('reads the bf16 weights once per token at the probed 100 GB/s: 100e9 / 15.01 GB ≈ 6.66 tok/s', () => {
    const r = decodeTokensPerSecondFromProbe(probe, { model: llama, format: plainFormats.bf16, context: 0 });
    expect(r.parts!.weights!.bytes).toBe(readBytes);
    expect(r.tokensPerSecond).toBeCloseTo(100e9 / readBytes, 6);
  });

  it('scales with the efficiency given and with the probed bandwidth', () => {
    const half = decodeTokensPerSecondFromProbe(probe, { model: llama, context: 0, efficiency: 0.5 });
    expect(half.tokensPerSecond).toBeCloseTo((0.5 * 100e9) / readBytes, 6);
    const faster = decodeTokensPerSecondFromProbe(
      { ...probe, bandwidth: { ...probe.bandwidth, readGBps: 200 } },
      { model: llama, context: 0 },
    );
    expect(faster.tokensPerSecond).toBeCloseTo(200e9 / readBytes, 6);
  });

  it('rejects a probe that measured no bandwidth', () => {
    expect(() =>
      decodeTokensPerSecondFromProbe(
        { ...probe, bandwidth: { ...probe.bandwidth, readGBps: 0 } },
        { model: llama, context: 0 },
      ),
    ).toThrow(/bandwidth/);
  });
});

describe('prefillTokensPerSecondFromProbe', () => {
  it('spends 2 FLOPs per non-embedding parameter per token at the probed 1 TFLOP/s: ≈ 66.6 tok/s', () => {
    const r = prefillTokensPerSecondFromProbe(probe, { model: llama, context: 0 });
    expect(r.tokensPerSecond).toBeCloseTo(1e12 / (2 * (8_030_261_248 - 128_256 * 4096)), 3);
  });
});
