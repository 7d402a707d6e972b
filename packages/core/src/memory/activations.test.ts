import { describe, expect, it } from 'vitest';
import { llama3_8b, singleHeadAttention } from '../__fixtures__/architectures.js';
import { inferenceActivationBytes, naiveAttentionScoreBytes } from './activations.js';
import { MIB } from './units.js';

/** Seed 002: naive attention, batch 8, fp32, forward peak in MiB (torch.cuda.max_memory_allocated). */
const SEED_002 = [
  { seq: 256, d: 16, mib: 20.9 },
  { seq: 1024, d: 16, mib: 82.8 },
  { seq: 4096, d: 16, mib: 1050.6 },
  { seq: 8192, d: 16, mib: 4133.0 },
  { seq: 4096, d: 32, mib: 1060.6 },
  { seq: 8192, d: 32, mib: 4153.0 },
  { seq: 4096, d: 64, mib: 1080.6 },
  { seq: 8192, d: 64, mib: 4193.0 },
  { seq: 256, d: 128, mib: 25.3 },
  { seq: 1024, d: 128, mib: 100.3 },
  { seq: 4096, d: 128, mib: 1120.6 },
  { seq: 8192, d: 128, mib: 4273.0 },
];

function seed002Model(seq: number, d: number): number {
  const arch = singleHeadAttention(d);
  return inferenceActivationBytes(arch, {
    chunkTokens: seq,
    batch: 8,
    activationBytes: 4,
    attention: 'naive',
    logits: 'none',
  }).bytes;
}

describe('inferenceActivationBytes', () => {
  it.each(SEED_002.filter((r) => r.seq >= 4096))(
    'lands within 10% of seed 002 at seq $seq, d_model $d ($mib MiB)',
    ({ seq, d, mib }) => {
      const predicted = seed002Model(seq, d) / MIB;
      expect(Math.abs(predicted - mib) / mib).toBeLessThan(0.1);
    },
  );

  it('under-predicts the small sizes by a fixed few MiB: those peaks are the input tensors and CUDA workspace, not scores', () => {
    // At seq 256 the two 8×256×256 fp32 score matrices are 4 MiB; the rest of the measured ~21 MiB is
    // the benchmark's Q/K/V/input/grad buffers and cuBLAS workspace, which no formula of ours holds.
    for (const r of SEED_002.filter((x) => x.seq < 4096)) {
      const predicted = seed002Model(r.seq, r.d) / MIB;
      expect(predicted).toBeLessThan(r.mib);
      expect(r.mib - predicted).toBeLessThan(25);
    }
  });

  it('explains the 16384 OOM: scores and softmax alone are 16 GiB', () => {
    expect(naiveAttentionScoreBytes({ batch: 8, heads: 1, queryTokens: 16384, keyTokens: 16384, scoreBytes: 4 })).toBe(
      16 * 1024 ** 3,
    );
  });

  it('grows linearly with flash attention and quadratically without', () => {
    const run = (t: number, attention: 'flash' | 'naive') =>
      inferenceActivationBytes(llama3_8b, { chunkTokens: t, batch: 1, activationBytes: 2, attention, logits: 'none' })
        .bytes;
    expect(run(8192, 'flash') / run(4096, 'flash')).toBeCloseTo(2, 5);
    expect(run(8192, 'naive') / run(4096, 'naive')).toBeGreaterThan(3.5);
  });

  it('makes fp32 logits over the prompt the largest item at long prompts (Llama 3 8B, 32k tokens)', () => {
    const r = inferenceActivationBytes(llama3_8b, {
      chunkTokens: 32768,
      batch: 1,
      activationBytes: 2,
      attention: 'flash',
      logits: 'all',
    });
    expect(r.parts!.logits!.bytes).toBe(32768 * 128256 * 6);
    expect(r.note).toMatch(/peak in logits/);
  });
});
