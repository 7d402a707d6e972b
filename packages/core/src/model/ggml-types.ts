import { InvalidInputError } from '../errors/invalid-input-error.js';
import { NoSuchFormatError } from '../errors/no-such-format-error.js';

/** Super-block size of the k-quants and i-quants (ggml/src/ggml-common.h `QK_K`). */
export const QK_K = 256;
/** Bytes of a ggml_half (fp16) scale. */
const HALF = 2;
/** Bytes of the packed 6-bit scales and mins of Q4_K/Q5_K (ggml-common.h `K_SCALE_SIZE`). */
const K_SCALE_SIZE = 12;

/** One ggml tensor type: its id in `enum ggml_type` and its block layout. */
export interface GgmlTypeLayout {
  /** Name as `ggml_type_name` prints it (`Q4_K`, `IQ2_XXS`, `F16`). */
  id: string;
  /** Value in `enum ggml_type` (ggml/include/ggml.h); the id GGUF tensor infos store. */
  ggmlType: number;
  /** Elements per block (`ggml_blck_size`). */
  blockElements: number;
  /** Bytes per block (`ggml_type_size`, the struct size of `block_<type>`). */
  blockBytes: number;
  /** Whether `ggml_is_quantized` is true (plain floats and integers are not). */
  quantized: boolean;
}

/**
 * Every tensor type ggml defines (ggml/include/ggml.h `enum ggml_type`, removed ids 4, 5, 31–33, 36–38
 * left out), with block sizes derived field by field from the `block_*` structs in
 * ggml/src/ggml-common.h (llama.cpp master, 2026). A test recomputes bits/weight independently.
 */
export const GGML_TYPES = [
  { id: 'F32', ggmlType: 0, blockElements: 1, blockBytes: 4, quantized: false },
  { id: 'F16', ggmlType: 1, blockElements: 1, blockBytes: HALF, quantized: false },
  // block_q4_0: d + 32 nibbles
  { id: 'Q4_0', ggmlType: 2, blockElements: 32, blockBytes: HALF + 32 / 2, quantized: true },
  // block_q4_1: d, m + 32 nibbles
  { id: 'Q4_1', ggmlType: 3, blockElements: 32, blockBytes: 2 * HALF + 32 / 2, quantized: true },
  // block_q5_0: d + qh[4] (fifth bits) + 32 nibbles
  { id: 'Q5_0', ggmlType: 6, blockElements: 32, blockBytes: HALF + 4 + 32 / 2, quantized: true },
  // block_q5_1: d, m + qh[4] + 32 nibbles
  { id: 'Q5_1', ggmlType: 7, blockElements: 32, blockBytes: 2 * HALF + 4 + 32 / 2, quantized: true },
  // block_q8_0: d + 32 int8
  { id: 'Q8_0', ggmlType: 8, blockElements: 32, blockBytes: HALF + 32, quantized: true },
  // block_q8_1: d, s + 32 int8
  { id: 'Q8_1', ggmlType: 9, blockElements: 32, blockBytes: 2 * HALF + 32, quantized: true },
  // block_q2_K: scales[QK_K/16] + qs[QK_K/4] + d, dmin
  { id: 'Q2_K', ggmlType: 10, blockElements: QK_K, blockBytes: QK_K / 16 + QK_K / 4 + 2 * HALF, quantized: true },
  // block_q3_K: hmask[QK_K/8] + qs[QK_K/4] + scales[12] + d
  { id: 'Q3_K', ggmlType: 11, blockElements: QK_K, blockBytes: QK_K / 8 + QK_K / 4 + 12 + HALF, quantized: true },
  // block_q4_K: d, dmin + scales[K_SCALE_SIZE] + qs[QK_K/2]
  { id: 'Q4_K', ggmlType: 12, blockElements: QK_K, blockBytes: 2 * HALF + K_SCALE_SIZE + QK_K / 2, quantized: true },
  // block_q5_K: d, dmin + scales[K_SCALE_SIZE] + qh[QK_K/8] + qs[QK_K/2]
  {
    id: 'Q5_K',
    ggmlType: 13,
    blockElements: QK_K,
    blockBytes: 2 * HALF + K_SCALE_SIZE + QK_K / 8 + QK_K / 2,
    quantized: true,
  },
  // block_q6_K: ql[QK_K/2] + qh[QK_K/4] + int8 scales[QK_K/16] + d
  {
    id: 'Q6_K',
    ggmlType: 14,
    blockElements: QK_K,
    blockBytes: QK_K / 2 + QK_K / 4 + QK_K / 16 + HALF,
    quantized: true,
  },
  // block_q8_K: float d + qs[QK_K] + int16 bsums[QK_K/16]
  { id: 'Q8_K', ggmlType: 15, blockElements: QK_K, blockBytes: 4 + QK_K + (QK_K / 16) * 2, quantized: true },
  // block_iq2_xxs: d + uint16 qs[QK_K/8]
  { id: 'IQ2_XXS', ggmlType: 16, blockElements: QK_K, blockBytes: HALF + (QK_K / 8) * 2, quantized: true },
  // block_iq2_xs: d + uint16 qs[QK_K/8] + scales[QK_K/32]
  { id: 'IQ2_XS', ggmlType: 17, blockElements: QK_K, blockBytes: HALF + (QK_K / 8) * 2 + QK_K / 32, quantized: true },
  // block_iq3_xxs: d + qs[3*QK_K/8]
  { id: 'IQ3_XXS', ggmlType: 18, blockElements: QK_K, blockBytes: HALF + (3 * QK_K) / 8, quantized: true },
  // block_iq1_s: d + qs[QK_K/8] + uint16 qh[QK_K/32]
  { id: 'IQ1_S', ggmlType: 19, blockElements: QK_K, blockBytes: HALF + QK_K / 8 + (QK_K / 32) * 2, quantized: true },
  // block_iq4_nl: d + 32 nibbles
  { id: 'IQ4_NL', ggmlType: 20, blockElements: 32, blockBytes: HALF + 32 / 2, quantized: true },
  // block_iq3_s: d + qs[QK_K/4] + qh[QK_K/32] + signs[QK_K/8] + scales[QK_K/64]
  {
    id: 'IQ3_S',
    ggmlType: 21,
    blockElements: QK_K,
    blockBytes: HALF + QK_K / 4 + QK_K / 32 + QK_K / 8 + QK_K / 64,
    quantized: true,
  },
  // block_iq2_s: d + qs[QK_K/4] + qh[QK_K/32] + scales[QK_K/32]
  {
    id: 'IQ2_S',
    ggmlType: 22,
    blockElements: QK_K,
    blockBytes: HALF + QK_K / 4 + QK_K / 32 + QK_K / 32,
    quantized: true,
  },
  // block_iq4_xs: d + uint16 scales_h + scales_l[QK_K/64] + qs[QK_K/2]
  { id: 'IQ4_XS', ggmlType: 23, blockElements: QK_K, blockBytes: HALF + 2 + QK_K / 64 + QK_K / 2, quantized: true },
  { id: 'I8', ggmlType: 24, blockElements: 1, blockBytes: 1, quantized: false },
  { id: 'I16', ggmlType: 25, blockElements: 1, blockBytes: 2, quantized: false },
  { id: 'I32', ggmlType: 26, blockElements: 1, blockBytes: 4, quantized: false },
  { id: 'I64', ggmlType: 27, blockElements: 1, blockBytes: 8, quantized: false },
  { id: 'F64', ggmlType: 28, blockElements: 1, blockBytes: 8, quantized: false },
  // block_iq1_m: qs[QK_K/8] + qh[QK_K/16] + scales[QK_K/32] (the f16 scale lives in the scales' top bits)
  { id: 'IQ1_M', ggmlType: 29, blockElements: QK_K, blockBytes: QK_K / 8 + QK_K / 16 + QK_K / 32, quantized: true },
  { id: 'BF16', ggmlType: 30, blockElements: 1, blockBytes: 2, quantized: false },
  // block_tq1_0: qs[(QK_K - 4*QK_K/64)/5] (5 trits per byte) + qh[QK_K/64] (4 per byte) + d
  {
    id: 'TQ1_0',
    ggmlType: 34,
    blockElements: QK_K,
    blockBytes: (QK_K - (4 * QK_K) / 64) / 5 + QK_K / 64 + HALF,
    quantized: true,
  },
  // block_tq2_0: qs[QK_K/4] + d
  { id: 'TQ2_0', ggmlType: 35, blockElements: QK_K, blockBytes: QK_K / 4 + HALF, quantized: true },
  // block_mxfp4: E8M0 exponent + 32 e2m1 nibbles (OCP MX spec block of 32)
  { id: 'MXFP4', ggmlType: 39, blockElements: 32, blockBytes: 1 + 32 / 2, quantized: true },
  // block_nvfp4: 4 UE4M3 scales (one per 16) + 64 e2m1 nibbles
  { id: 'NVFP4', ggmlType: 40, blockElements: 64, blockBytes: 64 / 16 + 64 / 2, quantized: true },
  // block_q1_0: d + 128 sign bits
  { id: 'Q1_0', ggmlType: 41, blockElements: 128, blockBytes: HALF + 128 / 8, quantized: true },
  // block_q2_0: d + 64 two-bit values
  { id: 'Q2_0', ggmlType: 42, blockElements: 64, blockBytes: HALF + 64 / 4, quantized: true },
] as const satisfies readonly GgmlTypeLayout[];

/** A ggml type name (`Q4_K`, `IQ2_XXS`, `F16`, …). */
export type GgmlTypeName = (typeof GGML_TYPES)[number]['id'];

const BY_NAME = new Map<string, GgmlTypeLayout>(GGML_TYPES.map((t) => [t.id, t]));
const BY_NUMBER = new Map<number, GgmlTypeLayout>(GGML_TYPES.map((t) => [t.ggmlType, t]));

/**
 * The layout of a ggml type by name (case-insensitive) or by its `enum ggml_type` number, or
 * undefined when ggml has no such type (a reader turns that into its own error).
 * @param type `Q4_K`, `q8_0`, or a number such as 12
 */
export function findGgmlType(type: string | number): GgmlTypeLayout | undefined {
  return typeof type === 'number' ? BY_NUMBER.get(type) : BY_NAME.get(type.trim().toUpperCase());
}

/**
 * The layout of a ggml type by name (case-insensitive) or by its `enum ggml_type` number.
 * @param type `Q4_K`, `q8_0`, `IQ2_XXS`, or a number such as 12
 * @returns the block layout
 * @throws NoSuchFormatError when no ggml type has that name or number
 */
export function ggmlTypeLayout(type: string | number): GgmlTypeLayout {
  const found = findGgmlType(type);
  if (!found)
    throw new NoSuchFormatError(
      String(type),
      GGML_TYPES.map((t) => t.id),
      'ggmlType',
    );
  return found;
}

/**
 * Nominal bits per weight of a ggml type: block bytes × 8 / block elements (Q4_K: 144 × 8 / 256 = 4.5).
 * @param type a ggml type name or number
 * @returns bits per weight
 * @throws NoSuchFormatError for an unknown type
 */
export function ggmlBitsPerWeight(type: string | number): number {
  const t = ggmlTypeLayout(type);
  return (t.blockBytes * 8) / t.blockElements;
}

/**
 * Bytes of a ggml tensor (`ggml_nbytes` for a contiguous tensor): rows of `ne0` values, each row
 * `ne0 / blockElements` blocks.
 * @param type a ggml type name or number
 * @param shape the tensor shape in PyTorch order (`[out, in]` or `[experts, out, in]`); the last
 *   dimension is ggml's `ne[0]`, the row that must hold whole blocks
 * @returns bytes, an integer
 * @throws InvalidInputError when the row length is not a multiple of the block size, or a dimension
 *   is not a non-negative integer
 */
export function ggmlTensorBytes(type: string | number, shape: readonly number[]): number {
  const t = ggmlTypeLayout(type);
  for (const [i, d] of shape.entries()) {
    if (!Number.isInteger(d) || d < 0) {
      throw new InvalidInputError([
        { path: `tensor.shape[${i}]`, message: `must be a non-negative integer, got ${d}`, received: d },
      ]);
    }
  }
  const row = shape[shape.length - 1] ?? 1;
  if (row % t.blockElements !== 0) {
    throw new InvalidInputError([
      {
        path: 'tensor.shape',
        message: `${t.id} needs rows that are a multiple of ${t.blockElements} values; the row (last dimension) is ${row}. Pick a type whose block divides the row (F16 always does).`,
        received: shape,
      },
    ]);
  }
  let rows = 1;
  for (let i = 0; i < shape.length - 1; i++) rows *= shape[i] as number;
  return rows * (row / t.blockElements) * t.blockBytes;
}
