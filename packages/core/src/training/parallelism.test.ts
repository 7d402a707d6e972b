import { describe, expect, it } from 'vitest';
import { zeroModelStateBytes } from './parallelism.js';

const mixed = { weights: 2, gradients: 2, optimizer: 12 };

describe('zeroModelStateBytes', () => {
  it.each([
    [0, 112e9],
    [1, 38.5e9],
    [2, 26.25e9],
    [3, 14e9],
  ] as const)('reproduces seed 004: 7B, 8 GPUs, 16 B/param, stage %i → %d bytes', (stage, bytes) => {
    expect(zeroModelStateBytes({ parameters: 7e9, bytesPerParam: mixed, stage, gpus: 8 }).bytes).toBe(bytes);
  });

  it.each([
    [0, 120],
    [1, 31.4],
    [2, 16.6],
    [3, 1.9],
  ] as const)('reproduces the ZeRO paper: 7.5B, 64 GPUs, stage %i → %d GB (1 decimal)', (stage, gb) => {
    const b = zeroModelStateBytes({ parameters: 7.5e9, bytesPerParam: mixed, stage, gpus: 64 }).bytes;
    expect(Math.round(b / 1e8) / 10).toBe(gb);
  });

  it("shows DeepSpeed's estimator disagreeing on ZeRO-2: 4Ψ + 16Ψ/N = 42 GB for 7B on 8 GPUs (paper: 26.25 GB)", () => {
    expect(
      zeroModelStateBytes({
        parameters: 7e9,
        bytesPerParam: mixed,
        stage: 2,
        gpus: 8,
        accounting: 'deepspeed-estimator',
      }).bytes,
    ).toBe(42e9);
  });
});
