import type { FormatContext, Tensor, TensorBytes, WeightFormat } from '@vramkit/core';
import { isQuantizedLinear, linearDims, plainTensorBytes, requireMultiple } from './linear-weights.js';

/** Values per MXFP4 block: one E8M0 scale per 32 e2m1 values (OCP Microscaling spec v1.0). */
export const MXFP4_BLOCK = 32;

/**
 * MXFP4 as gpt-oss ships it (transformers integrations/mxfp4.py, `Mxfp4GptOssExperts`): only MoE
 * expert matrices are quantized, stored as `*_blocks` uint8 [experts, out, in/32, 16] and `*_scales`
 * uint8 [experts, out, in/32] — 17 bytes per 32 values (4.25 bits). Everything else, including
 * attention and the router (`modules_to_not_convert`), stays bf16.
 */
export function mxfp4Format(options: { modulesToNotConvert?: readonly string[] } = {}): WeightFormat {
  const skip = options.modulesToNotConvert ?? [];
  return {
    specVersion: 'v1',
    id: 'mxfp4',
    description:
      'MXFP4 MoE experts (gpt-oss): 16 bytes of e2m1 + 1 E8M0 scale per 32 values; attention, router, embeddings bf16',
    bitsPerWeight: (MXFP4_BLOCK / 2 + 1) * (8 / MXFP4_BLOCK),
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (t.shape.length !== 3 || !isQuantizedLinear(t, skip)) return plainTensorBytes(t, 2, 'bf16');
      const { experts, out, in: k } = linearDims(t);
      requireMultiple(t, 'in_features', k, MXFP4_BLOCK, 'MXFP4 blocks hold 32 input values');
      return { bytes: experts * out * (k / MXFP4_BLOCK) * (MXFP4_BLOCK / 2 + 1), type: 'mxfp4' };
    },
  };
}
