import { describe, expect, it } from 'vitest';
import { prepareModel } from '../prepare-model.js';
import { llama2_7b } from './__fixtures__/architectures.js';
import { bnbNf4Format, nf4TensorBytes } from './nf4.js';

describe('nf4TensorBytes', () => {
  it('stores a 4096 × 4096 weight in 8,655,940 B with double quant (packed 8,388,608 + 262,144 uint8 absmax + 1,024 × 4 + offset + codes)', () => {
    expect(nf4TensorBytes(4096 * 4096, true)).toBe(8_388_608 + 262_144 + 4 * 1024 + 4 + 64 + 1024);
  });

  it('costs ≈ 0.127 extra bits per weight with double quant and 0.5 without (QLoRA paper §3)', () => {
    const n = 4096 * 11008;
    expect((nf4TensorBytes(n, true) * 8) / n - 4).toBeCloseTo(0.127, 3);
    expect((nf4TensorBytes(n, false) * 8) / n - 4).toBeCloseTo(0.5, 3);
  });
});

describe('bnbNf4Format', () => {
  it('quantizes the 224 Llama-2-7B linear layers at 4.127 bits and keeps embeddings, lm_head and norms in bf16 (within 0.1%)', () => {
    const w = prepareModel(llama2_7b).weightsIn(bnbNf4Format());
    // 6,476,005,376 linear weights × 4.127 / 8 + 2 × 131,072,000 × 2 B + norms 266,240 × 2 B.
    const expected = (6_476_005_376 * (4 + 8 / 64 + 32 / (64 * 256))) / 8 + 4 * 131_072_000 + 2 * 266_240;
    expect(Math.abs(w.total / expected - 1)).toBeLessThan(0.001);
    expect(w.byType.nf4?.tensors).toBe(224);
  });
});
