import { type FormatContext, type Tensor, type TensorBytes, tensorElements, type WeightFormat } from '@vramkit/core';
import {
  isQuantizedLinear,
  linearDims,
  optionIn,
  plainTensorBytes,
  positiveInteger,
  requireMultiple,
} from './linear-weights.js';
import { parseFormatParams, type WeightFormatFamily } from './registry.js';

/** HQQ options (transformers `HqqConfig`: nbits, group_size). */
export interface HqqOptions {
  nbits: 1 | 2 | 3 | 4 | 8;
  /** Values per scale/zero group. Default 64. */
  groupSize?: number;
  skipModules?: readonly string[];
}

// hqq/core/bitpack.py: 8/4/2/1-bit values pack into bytes; 3-bit packs 10 values per int32.
function packedBytes(n: number, nbits: HqqOptions['nbits']): number {
  if (nbits === 3) return Math.ceil(n / 10) * 4;
  return Math.ceil((n * nbits) / 8);
}

/**
 * HQQ (mobiusml/hqq, hqq/core/quantize.py HQQLinear) with f16 scale and zero per group (the
 * transformers default, no meta quantization): packed W_q plus 4 bytes per `groupSize` values.
 * lm_head and embeddings stay 16-bit.
 */
export function hqqFormat(options: HqqOptions): WeightFormat {
  const nbits = optionIn('nbits', options.nbits, [1, 2, 3, 4, 8] as const);
  const group = positiveInteger('groupSize', options.groupSize ?? 64);
  const skip = ['lm_head', ...(options.skipModules ?? [])];
  return {
    specVersion: 'v1',
    id: `hqq-${nbits}bit-${group}g`,
    description: `HQQ ${nbits}-bit, f16 scale and zero per ${group} values`,
    bitsPerWeight: nbits + 32 / group,
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (!isQuantizedLinear(t, skip)) return plainTensorBytes(t, 2, 'f16');
      const { experts } = linearDims(t);
      const n = tensorElements(t) / Math.max(1, experts);
      requireMultiple(t, 'elements', n, group, 'HQQ groups split the weight evenly');
      return { bytes: experts * (packedBytes(n, nbits) + (n / group) * 4), type: `hqq-int${nbits}` };
    },
  };
}

/** `hqq@nbits=4,group=64`. */
export const hqqFamily: WeightFormatFamily = {
  specVersion: 'v1',
  kind: 'family',
  id: 'hqq',
  description: 'HQQ with explicit parameters',
  parameters: 'nbits=1|2|3|4|8,group=<n>',
  example: 'nbits=4,group=64',
  create(params) {
    const p = parseFormatParams(params);
    const nbits = Number(p.get('nbits') ?? p.get('positional') ?? 4) as HqqOptions['nbits'];
    return hqqFormat({ nbits, groupSize: Number(p.get('group') ?? p.get('group_size') ?? 64) });
  },
};
