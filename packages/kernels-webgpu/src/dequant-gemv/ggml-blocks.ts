// The one place this package reads ggml block sizes: from the project's ggml type table.
import { ggmlTypeLayout } from '@vramkit/core';

/** ggml types the dequantize-GEMV kernel reads. */
export const GEMV_TYPES = ['Q8_0', 'Q4_K'] as const;
/** One of {@link GEMV_TYPES}. */
export type GemvType = (typeof GEMV_TYPES)[number];

/** Byte layout of one ggml block: its size from the ggml table, and the field offsets of its struct. */
export interface GgmlBlockLayout {
  type: GemvType;
  /** Weights per block (`ggml_blck_size`). */
  blockElements: number;
  /** Bytes per block (`ggml_type_size`). */
  blockBytes: number;
  /** Byte offset of each field of `block_<type>` (ggml/src/ggml-common.h). */
  offsets: Record<string, number>;
}

/**
 * The block layout of `type`: sizes from `@vramkit/core`'s ggml table, field offsets from the
 * structs in ggml-common.h — `block_q8_0 { ggml_half d; int8_t qs[32]; }` and
 * `block_q4_K { ggml_half d, dmin; uint8_t scales[12]; uint8_t qs[QK_K/2]; }`. Throws if the table
 * and the struct disagree, so a changed table cannot silently misread blocks.
 */
export function ggmlBlockLayout(type: GemvType): GgmlBlockLayout {
  const { blockElements, blockBytes } = ggmlTypeLayout(type);
  const offsets: Record<string, number> = type === 'Q8_0' ? { d: 0, qs: 2 } : { d: 0, dmin: 2, scales: 4, qs: 16 };
  const structBytes = offsets.qs! + (type === 'Q8_0' ? blockElements : blockElements / 2);
  if (structBytes !== blockBytes)
    throw new Error(
      `ggml table says ${type} blocks are ${blockBytes} bytes; block_${type.toLowerCase()} is ${structBytes}`,
    );
  return { type, blockElements, blockBytes, offsets };
}
