import type { FormatContext, Tensor, TensorBytes, WeightFormat } from '@vramkit/core';
import {
  isQuantizedLinear,
  linearDims,
  optionIn,
  plainTensorBytes,
  positiveInteger,
  requireMultiple,
} from './linear-weights.js';
import { parseFormatParams, type WeightFormatFamily } from './registry.js';

/** AWQ parameters (AutoAWQ `quant_config`: w_bit, q_group_size, version, zero_point). */
export interface AwqOptions {
  /** Weight bits; AutoAWQ kernels support 4. */
  bits?: 4;
  /** Input features per group. Default 128. */
  groupSize?: number;
  /** Packing: GEMM (default) or GEMV. */
  version?: 'gemm' | 'gemv';
  modulesToNotConvert?: readonly string[];
}

// AutoAWQ awq/modules/linear/gemv.py calculate_zeros_width: groups rounded up to packs of 8, then to a multiple for small groups.
function zerosWidth(inFeatures: number, groupSize: number): number {
  const multiplier = groupSize >= 128 ? 1 : groupSize === 64 ? 2 : groupSize === 32 ? 4 : 0;
  const base = Math.ceil(Math.floor(inFeatures / groupSize) / 8);
  return Math.ceil(base / multiplier) * multiplier;
}

/**
 * AWQ packed linear layers, byte-exact to AutoAWQ (awq/modules/linear/gemm.py WQLinear_GEMM:
 * qweight int32 [in, out/8], qzeros int32 [in/g, out/8], scales f16 [in/g, out]; gemv.py WQLinear_GEMV:
 * qweight int32 [out, in/8], qzeros int32 [out, w], scales f16 [out, 8w] with w = calculate_zeros_width).
 * Embeddings, lm_head, routers and `modules_to_not_convert` stay f16.
 * @throws InvalidInputError for a group size GEMV does not support, or shapes that do not pack
 */
export function awqFormat(options: AwqOptions = {}): WeightFormat {
  const bits = optionIn('bits', options.bits ?? 4, [4] as const);
  const groupSize = positiveInteger('groupSize', options.groupSize ?? 128);
  const version = optionIn('version', options.version ?? 'gemm', ['gemm', 'gemv'] as const);
  if (version === 'gemv') optionIn('groupSize', Math.min(groupSize, 128), [32, 64, 128]);
  const skip = options.modulesToNotConvert ?? [];
  const pack = 32 / bits;
  return {
    specVersion: 'v1',
    id: `awq${version === 'gemv' ? '-gemv' : ''}${groupSize === 128 ? '' : `-${groupSize}g`}`,
    description: `AWQ ${bits}-bit ${version.toUpperCase()}, group ${groupSize}: int32-packed qweight/qzeros, f16 scales`,
    bitsPerWeight: bits + (16 + bits) / groupSize,
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (!isQuantizedLinear(t, skip)) return plainTensorBytes(t, 2, 'f16');
      const { experts, out, in: k } = linearDims(t);
      requireMultiple(t, 'in_features', k, groupSize, 'AWQ groups split the input features');
      let bytes: number;
      if (version === 'gemm') {
        requireMultiple(t, 'out_features', out, pack, 'WQLinear_GEMM packs 8 outputs per int32');
        const groups = k / groupSize;
        bytes = k * (out / pack) * 4 + groups * (out / pack) * 4 + groups * out * 2;
      } else {
        requireMultiple(t, 'in_features', k, pack, 'WQLinear_GEMV packs 8 inputs per int32');
        const w = zerosWidth(k, groupSize);
        bytes = out * (k / pack) * 4 + out * w * 4 + out * w * pack * 2;
      }
      return { bytes: experts * bytes, type: `awq-int${bits}` };
    },
  };
}

/** `awq@group=64,gemv`; defaults group 128, GEMM. */
export const awqFamily: WeightFormatFamily = {
  specVersion: 'v1',
  kind: 'family',
  id: 'awq',
  description: 'AWQ with explicit parameters',
  parameters: 'group=<n>,gemv',
  example: 'group=128',
  create(params) {
    const p = parseFormatParams(params);
    return awqFormat({
      groupSize: Number(p.get('group') ?? p.get('positional') ?? 128),
      version: p.has('gemv') ? 'gemv' : 'gemm',
    });
  },
};
