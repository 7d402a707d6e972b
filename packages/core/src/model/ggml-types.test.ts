import { describe, expect, it } from 'vitest';
import { GGML_TYPES, ggmlBitsPerWeight, ggmlTensorBytes, ggmlTypeLayout } from './ggml-types.js';

/**
 * Bits/weight written out independently of the table, from the comments and static_asserts of the
 * block structs in llama.cpp ggml/src/ggml-common.h ("Effectively 4.5 bits per weight", "1.6875 bpw", …)
 * and the field lists summed by hand in bits.
 */
const EXPECTED_BPW: Record<string, number> = {
  F32: 32,
  F16: 16,
  BF16: 16,
  F64: 64,
  I8: 8,
  I16: 16,
  I32: 32,
  I64: 64,
  Q4_0: (16 + 32 * 4) / 32, // 4.5
  Q4_1: (32 + 32 * 4) / 32, // 5
  Q5_0: (16 + 32 * 5) / 32, // 5.5
  Q5_1: (32 + 32 * 5) / 32, // 6
  Q8_0: (16 + 32 * 8) / 32, // 8.5
  Q8_1: (32 + 32 * 8) / 32, // 9
  Q2_K: 2.625, // "Effectively 2.625 bits per weight"
  Q3_K: 3.4375, // "Effectively 3.4375 bits per weight"
  Q4_K: 4.5, // "Effectively 4.5 bits per weight"
  Q5_K: 5.5, // "Effectively 5.5 bits per weight"
  Q6_K: 6.5625, // "Effectively 6.5625 bits per weight"
  Q8_K: (32 + 256 * 8 + 16 * 16) / 256, // 9.125
  IQ2_XXS: 2.0625, // "it ends up using 2.0625 bpw"
  IQ2_XS: 2.3125, // "2.3125 bpw quants"
  IQ2_S: 2.5625, // "2.5625 bpw quants"
  IQ3_XXS: 3.0625, // "3.0625 bpw"
  IQ3_S: 3.4375, // "3.4375 bpw"
  IQ1_S: 1.5625, // "1.5625 bpw"
  IQ1_M: 1.75, // "1.75 bpw"
  IQ4_NL: 4.5,
  IQ4_XS: 4.25,
  TQ1_0: 1.6875, // "1.6875 bpw"
  TQ2_0: 2.0625, // "2.0625 bpw"
  MXFP4: (8 + 32 * 4) / 32, // 4.25: one E8M0 exponent per 32 e2m1 values (OCP MX v1.0)
  NVFP4: (4 * 8 + 64 * 4) / 64, // 4.5: one UE4M3 scale per 16 e2m1 values
  Q1_0: (16 + 128) / 128, // 1.125
  Q2_0: (16 + 64 * 2) / 64, // 2.25
};

describe('GGML_TYPES', () => {
  it.each(Object.entries(EXPECTED_BPW))('%s has %f bits per weight from its block layout', (id, bpw) => {
    expect(ggmlBitsPerWeight(id)).toBe(bpw);
  });

  it('lists every type of enum ggml_type: 35 types, each with a unique number', () => {
    expect(GGML_TYPES).toHaveLength(35);
    expect(new Set(GGML_TYPES.map((t) => t.ggmlType)).size).toBe(35);
    expect(Object.keys(EXPECTED_BPW).sort()).toEqual(GGML_TYPES.map((t) => t.id).sort());
  });

  it('gives the block sizes ggml_type_size reports: Q4_K 144 bytes per 256, Q6_K 210, IQ4_XS 136, TQ1_0 54', () => {
    expect(ggmlTypeLayout('Q4_K')).toMatchObject({ blockElements: 256, blockBytes: 144, ggmlType: 12 });
    expect(ggmlTypeLayout('q6_k').blockBytes).toBe(210);
    expect(ggmlTypeLayout(23).id).toBe('IQ4_XS');
    expect(ggmlTypeLayout('IQ4_XS').blockBytes).toBe(136);
    expect(ggmlTypeLayout('TQ1_0').blockBytes).toBe(54);
  });
});

describe('ggmlTensorBytes', () => {
  it('sizes a 4096×14336 Q4_K matrix at 33,030,144 bytes (4096 rows × 56 blocks × 144)', () => {
    expect(ggmlTensorBytes('Q4_K', [4096, 14336])).toBe(4096 * 56 * 144);
  });

  it('sizes a 3-D expert tensor [8, 14336, 4096] in Q8_0 at 8 × 14336 × 128 × 34 bytes', () => {
    expect(ggmlTensorBytes('Q8_0', [8, 14336, 4096])).toBe(8 * 14336 * 128 * 34);
  });

  it('throws INVALID_INPUT when a 100-value row cannot hold whole 256-value Q4_K blocks', () => {
    expect(() => ggmlTensorBytes('Q4_K', [10, 100])).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('throws NO_SUCH_FORMAT with the known list for an unknown type "Q9_X"', () => {
    expect(() => ggmlTypeLayout('Q9_X')).toThrowError(expect.objectContaining({ code: 'NO_SUCH_FORMAT' }));
  });
});
