import { GGMLQuantizationType } from '@huggingface/gguf';
import { describe, expect, it } from 'vitest';
import { GGML_TYPES, ggmlTensorBytes, ggmlTypeByName } from './ggml-types.js';

describe('GGML_TYPES', () => {
  it('uses the same ids as @huggingface/gguf GGMLQuantizationType for every name', () => {
    const enumByName = GGMLQuantizationType as unknown as Record<string, number>;
    for (const t of GGML_TYPES) expect(enumByName[t.name], t.name).toBe(t.id);
  });

  it.each([
    // ggml/src/ggml-common.h static_asserts on sizeof(block_*)
    ['Q4_0', 18], ['Q8_0', 34], ['Q2_K', 84], ['Q3_K', 110], ['Q4_K', 144], ['Q5_K', 176], ['Q6_K', 210], ['Q8_K', 292],
    ['IQ2_XXS', 66], ['IQ2_XS', 74], ['IQ2_S', 82], ['IQ3_XXS', 98], ['IQ3_S', 110], ['IQ1_S', 50], ['IQ1_M', 56], ['IQ4_NL', 18], ['IQ4_XS', 136],
    ['MXFP4', 17],
  ] as const)('block of %s is %i bytes', (name, bytes) => {
    expect(ggmlTypeByName(name)?.blockBytes).toBe(bytes);
  });

  it('gives Q4_K 4.5 bits and Q6_K 6.5625 bits per weight on a 4096×4096 matrix', () => {
    expect(ggmlTensorBytes(ggmlTypeByName('Q4_K')!, 4096 * 4096)! * 8 / (4096 * 4096)).toBe(4.5);
    expect(ggmlTensorBytes(ggmlTypeByName('Q6_K')!, 4096 * 4096)! * 8 / (4096 * 4096)).toBe(6.5625);
  });

  it('refuses 100 elements of a 256-element block type', () => {
    expect(ggmlTensorBytes(ggmlTypeByName('Q4_K')!, 100)).toBeUndefined();
  });
});
