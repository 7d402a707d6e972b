import { describe, expect, it } from 'vitest';
import { attentionForwardBytes } from './attention-memory.js';
import { VramkitError } from '../errors/vramkit-error.js';
import { GIB, MIB } from './units.js';

/** Seed 002 (batch 8, fp32, one head): forward peak in MiB as torch.cuda.max_memory_allocated reported it. */
const SEED_002 = [
  { seq: 4096, d: 16, mib: 1050.6 },
  { seq: 8192, d: 16, mib: 4133.0 },
  { seq: 4096, d: 32, mib: 1060.6 },
  { seq: 8192, d: 32, mib: 4153.0 },
  { seq: 4096, d: 64, mib: 1080.6 },
  { seq: 8192, d: 64, mib: 4193.0 },
  { seq: 4096, d: 128, mib: 1120.6 },
  { seq: 8192, d: 128, mib: 4273.0 },
];
const seed = (kind: 'naive' | 'flash', seq: number, d: number) =>
  attentionForwardBytes({ kind, batch: 8, heads: 1, queryTokens: seq, headDim: d, elementBytes: 4 });

describe('attentionForwardBytes', () => {
  it('counts Q, K, V, O and the two L² matrices of naive attention', () => {
    const r = seed('naive', 4096, 16);
    expect(r.parts!.scores!.bytes).toBe(2 * 8 * 4096 * 4096 * 4);
    expect(r.parts!.inputs!.bytes).toBe(3 * 8 * 4096 * 16 * 4);
    expect(r.parts!.output!.bytes).toBe(8 * 4096 * 16 * 4);
    expect(r.bytes).toBe(1032 * MIB);
  });

  it.each(SEED_002)('lands within 3% below seed 002 at seq $seq, d_model $d ($mib MiB)', ({ seq, d, mib }) => {
    const predicted = seed('naive', seq, d).bytes / MIB;
    expect(predicted).toBeLessThan(mib);
    expect((mib - predicted) / mib).toBeLessThan(0.03);
  });

  it('puts the seed-002 OOM at 16 GiB of scores and softmax (batch 8, seq 16384)', () => {
    expect(seed('naive', 16384, 16).parts!.scores!.bytes).toBe(16 * GIB);
  });

  it('grows linearly in L for flash attention and quadratically for naive', () => {
    expect(seed('flash', 8192, 64).bytes).toBe(2 * seed('flash', 4096, 64).bytes);
    expect(seed('flash', 4096, 64).parts!.statistics!.bytes).toBe(8 * 4096 * 4);
    expect(seed('naive', 8192, 64).bytes / seed('naive', 4096, 64).bytes).toBeGreaterThan(3.9);
  });

  it('keeps the fp32 softmax in fp16 (2 + 4 bytes per score) and counts distinct key tokens', () => {
    const r = attentionForwardBytes({
      kind: 'naive',
      batch: 2,
      heads: 3,
      queryTokens: 5,
      keyTokens: 7,
      headDim: 8,
      elementBytes: 2,
    });
    expect(r.parts!.scores!.bytes).toBe(2 * 3 * 5 * 7 * 6);
    expect(r.parts!.inputs!.bytes).toBe(2 * 3 * (5 + 2 * 7) * 8 * 2);
  });

  it('rejects a zero dimension and an element size other than 2 or 4 with INVALID_INPUT', () => {
    expect(() =>
      attentionForwardBytes({ kind: 'naive', batch: 0, heads: 1, queryTokens: 4, headDim: 4, elementBytes: 4 }),
    ).toThrow(/attention.batch/);
    try {
      attentionForwardBytes({ kind: 'flash', batch: 1, heads: 1, queryTokens: 4, headDim: 4, elementBytes: 3 });
      expect.unreachable();
    } catch (e) {
      expect(VramkitError.isInstance(e) && e.code).toBe('INVALID_INPUT');
    }
  });
});
