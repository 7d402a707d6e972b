import { GGMLQuantizationType } from '@huggingface/gguf';
import { GGML_TYPES, ggmlTypeLayout } from '@vramkit/core';
import { describe, expect, it } from 'vitest';

// core's GGML_TYPES is the one ggml table; the GGUF reader looks tensor types up in it by number.
describe('GGML_TYPES as the GGUF reader uses it', () => {
  it('uses the same enum ggml_type numbers as @huggingface/gguf GGMLQuantizationType for every name it shares', () => {
    const enumByName = GGMLQuantizationType as unknown as Record<string, number | undefined>;
    const shared = GGML_TYPES.filter((t) => enumByName[t.id] !== undefined);
    for (const t of shared) expect(enumByName[t.id], t.id).toBe(t.ggmlType);
    expect(shared.length).toBeGreaterThanOrEqual(33);
  });

  it.each([
    // ggml/src/ggml-common.h static_asserts on sizeof(block_*)
    ['Q4_0', 18], ['Q8_0', 34], ['Q2_K', 84], ['Q3_K', 110], ['Q4_K', 144], ['Q5_K', 176], ['Q6_K', 210], ['Q8_K', 292],
    ['IQ2_XXS', 66], ['IQ2_XS', 74], ['IQ2_S', 82], ['IQ3_XXS', 98], ['IQ3_S', 110], ['IQ1_S', 50], ['IQ1_M', 56], ['IQ4_NL', 18], ['IQ4_XS', 136],
    ['MXFP4', 17],
  ] as const)('block of %s is %i bytes', (name, bytes) => {
    expect(ggmlTypeLayout(name).blockBytes).toBe(bytes);
  });
});
