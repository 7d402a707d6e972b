/**
 * ggml tensor types by their GGUF id (ggml/include/ggml.h enum ggml_type) with block layouts
 * (ggml/src/ggml-common.h block_* structs; QK_K = 256, QK4_0 = QK8_0 = 32, QK_MXFP4 = 32).
 * Sizes are derived from the struct fields so a reader can check them against the header.
 */
export const GGML_TYPES = [
  { id: 0, name: 'F32', blockElements: 1, blockBytes: 4 },
  { id: 1, name: 'F16', blockElements: 1, blockBytes: 2 },
  { id: 2, name: 'Q4_0', blockElements: 32, blockBytes: 2 + 32 / 2 }, // d, qs[16]
  { id: 3, name: 'Q4_1', blockElements: 32, blockBytes: 2 + 2 + 32 / 2 }, // d, m, qs[16]
  { id: 6, name: 'Q5_0', blockElements: 32, blockBytes: 2 + 4 + 32 / 2 }, // d, qh[4], qs[16]
  { id: 7, name: 'Q5_1', blockElements: 32, blockBytes: 2 + 2 + 4 + 32 / 2 },
  { id: 8, name: 'Q8_0', blockElements: 32, blockBytes: 2 + 32 }, // d, qs[32]
  { id: 9, name: 'Q8_1', blockElements: 32, blockBytes: 2 + 2 + 32 }, // d, s, qs[32]
  { id: 10, name: 'Q2_K', blockElements: 256, blockBytes: 256 / 16 + 256 / 4 + 2 + 2 }, // scales, qs, d, dmin
  { id: 11, name: 'Q3_K', blockElements: 256, blockBytes: 256 / 8 + 256 / 4 + 12 + 2 }, // hmask, qs, scales, d
  { id: 12, name: 'Q4_K', blockElements: 256, blockBytes: 2 + 2 + 12 + 256 / 2 }, // d, dmin, scales, qs
  { id: 13, name: 'Q5_K', blockElements: 256, blockBytes: 2 + 2 + 12 + 256 / 8 + 256 / 2 }, // d, dmin, scales, qh, qs
  { id: 14, name: 'Q6_K', blockElements: 256, blockBytes: 256 / 2 + 256 / 4 + 256 / 16 + 2 }, // ql, qh, scales, d
  { id: 15, name: 'Q8_K', blockElements: 256, blockBytes: 4 + 256 + (256 / 16) * 2 }, // d (f32), qs, bsums
  { id: 16, name: 'IQ2_XXS', blockElements: 256, blockBytes: 2 + (256 / 8) * 2 }, // d, qs[QK_K/8] u16
  { id: 17, name: 'IQ2_XS', blockElements: 256, blockBytes: 2 + (256 / 8) * 2 + 256 / 32 }, // d, qs, scales
  { id: 18, name: 'IQ3_XXS', blockElements: 256, blockBytes: 2 + (3 * 256) / 8 }, // d, qs[3*QK_K/8]
  { id: 19, name: 'IQ1_S', blockElements: 256, blockBytes: 2 + 256 / 8 + (256 / 32) * 2 }, // d, qs, qh u16
  { id: 20, name: 'IQ4_NL', blockElements: 32, blockBytes: 2 + 32 / 2 },
  { id: 21, name: 'IQ3_S', blockElements: 256, blockBytes: 2 + 256 / 4 + 256 / 32 + 256 / 8 + 256 / 64 }, // d, qs, qh, signs, scales
  { id: 22, name: 'IQ2_S', blockElements: 256, blockBytes: 2 + 256 / 4 + 256 / 32 + 256 / 32 }, // d, qs, qh, scales
  { id: 23, name: 'IQ4_XS', blockElements: 256, blockBytes: 2 + 2 + 256 / 64 + 256 / 2 }, // d, scales_h, scales_l, qs
  { id: 24, name: 'I8', blockElements: 1, blockBytes: 1 },
  { id: 25, name: 'I16', blockElements: 1, blockBytes: 2 },
  { id: 26, name: 'I32', blockElements: 1, blockBytes: 4 },
  { id: 27, name: 'I64', blockElements: 1, blockBytes: 8 },
  { id: 28, name: 'F64', blockElements: 1, blockBytes: 8 },
  { id: 29, name: 'IQ1_M', blockElements: 256, blockBytes: 256 / 8 + 256 / 16 + 256 / 32 }, // qs, qh, scales (d packed in scales)
  { id: 30, name: 'BF16', blockElements: 1, blockBytes: 2 },
  { id: 34, name: 'TQ1_0', blockElements: 256, blockBytes: (256 - (4 * 256) / 64) / 5 + 256 / 64 + 2 }, // qs, qh, d
  { id: 35, name: 'TQ2_0', blockElements: 256, blockBytes: 256 / 4 + 2 }, // qs, d
  { id: 39, name: 'MXFP4', blockElements: 32, blockBytes: 1 + 32 / 2 }, // e (E8M0), qs
] as const;

/** One ggml type layout. */
export type GgmlType = (typeof GGML_TYPES)[number];

const BY_ID = new Map<number, GgmlType>(GGML_TYPES.map((t) => [t.id, t]));
const BY_NAME = new Map<string, GgmlType>(GGML_TYPES.map((t) => [t.name, t]));

/** The ggml type with this GGUF id, or undefined for an id this table does not know. */
export function ggmlTypeById(id: number): GgmlType | undefined {
  return BY_ID.get(id);
}

/** The ggml type with this name (`Q4_K`, `BF16`, …), or undefined. */
export function ggmlTypeByName(name: string): GgmlType | undefined {
  return BY_NAME.get(name.toUpperCase());
}

/**
 * Bytes a tensor of `elements` values takes in a ggml type (ggml_nbytes for contiguous rows).
 * @returns undefined when `elements` is not a whole number of blocks (the file would be invalid)
 */
export function ggmlTensorBytes(type: GgmlType, elements: number): number | undefined {
  if (elements % type.blockElements !== 0) return undefined;
  return (elements / type.blockElements) * type.blockBytes;
}
