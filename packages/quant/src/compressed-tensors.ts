import { type FormatContext, InvalidInputError, type Tensor, type TensorBytes, type WeightFormat } from '@vramkit/core';
import { isQuantizedLinear, linearDims, optionIn, plainTensorBytes, requireMultiple } from './linear-weights.js';

/** One compressed-tensors weight scheme (`config_groups.*.weights` plus the group's `format`). */
export interface CompressedTensorsScheme {
  numBits: 4 | 8;
  type: 'int' | 'float';
  strategy: 'tensor' | 'channel' | 'group' | 'block' | 'tensor_group';
  /** Input features per group (`group`, `tensor_group`). */
  groupSize?: number;
  /** `block_structure` [out, in] for `block`. */
  blockStructure?: readonly [number, number];
  symmetric: boolean;
  /** `format` of the checkpoint: pack-quantized (int4 in int32), naive/int/float-quantized (one value per byte), nvfp4-pack-quantized. */
  format: string;
  /** `ignore` list: names or `re:` regexes left unquantized. */
  ignore?: readonly string[];
}

/**
 * A compressed-tensors checkpoint (llm-compressor output, neuralmagic/compressed-tensors
 * src/compressed_tensors/compressors/quantized_compressors/*.py), as vLLM loads it
 * (vllm/.../compressed_tensors/schemes): int4 pack-quantized `weight_packed` int32 [out, in/8] with
 * 16-bit `weight_scale` per group and `weight_shape` int64[2]; int8/fp8 one byte per value with an f32
 * scale (tensor, channel or block); nvfp4 two values per byte, an fp8 scale per 16 and an f32 global
 * scale. Asymmetric int schemes add packed int32 zero points. `ignore` modules stay bf16.
 * @throws InvalidInputError for a scheme vramkit does not model
 */
export function compressedTensorsFormat(scheme: CompressedTensorsScheme): WeightFormat {
  optionIn('numBits', scheme.numBits, [4, 8] as const);
  optionIn('strategy', scheme.strategy, ['tensor', 'channel', 'group', 'block', 'tensor_group'] as const);
  const nvfp4 = scheme.type === 'float' && scheme.numBits === 4;
  const group = scheme.groupSize ?? (nvfp4 ? 16 : 128);
  const [bo, bi] = scheme.blockStructure ?? [128, 128];
  if (
    (scheme.strategy === 'group' || scheme.strategy === 'tensor_group') &&
    !(Number.isSafeInteger(group) && group > 0)
  ) {
    throw new InvalidInputError([
      { path: 'format.groupSize', message: `a ${scheme.strategy} scheme needs a positive group_size, got ${group}` },
    ]);
  }
  const skip = scheme.ignore ?? [];
  const label = `${scheme.type === 'int' ? 'w' : 'fp'}${scheme.numBits}-${scheme.strategy}${scheme.strategy === 'group' || scheme.strategy === 'tensor_group' ? group : ''}${scheme.symmetric ? '' : '-asym'}`;
  const scaleBytes = nvfp4 ? 1 : scheme.type === 'int' && scheme.numBits === 4 ? 2 : 4;
  return {
    specVersion: 'v1',
    id: `compressed-tensors:${label}`,
    description: `compressed-tensors ${scheme.format} ${scheme.type}${scheme.numBits} (${scheme.strategy}${scheme.strategy.includes('group') ? ` ${group}` : ''})`,
    bitsPerWeight: scheme.numBits + (scheme.strategy.includes('group') ? (scaleBytes * 8) / group : 0),
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (!isQuantizedLinear(t, skip)) return plainTensorBytes(t, 2, 'bf16');
      const { experts, out, in: k } = linearDims(t);
      let weight: number;
      if (scheme.numBits === 8) weight = out * k;
      else {
        requireMultiple(t, 'in_features', k, 8, '4-bit values are packed 8 per int32 along the input');
        weight = (out * k) / 2;
      }
      let scales: number;
      switch (scheme.strategy) {
        case 'tensor':
          scales = 1;
          break;
        case 'channel':
          scales = out;
          break;
        case 'block':
          scales = Math.ceil(out / bo) * Math.ceil(k / bi);
          break;
        default:
          scales = out * Math.ceil(k / group);
      }
      let bytes = weight + scales * scaleBytes;
      if (nvfp4) bytes += 4; // weight_global_scale f32
      if (scheme.type === 'int' && scheme.numBits === 4) bytes += 16; // weight_shape int64[2]
      if (!scheme.symmetric && scheme.type === 'int') {
        const perRow = scales / Math.max(1, scheme.strategy === 'tensor' ? 1 : out);
        bytes += scheme.numBits === 4 ? Math.ceil(out / 8) * 4 * Math.max(1, perRow) : scales;
      }
      return { bytes: experts * bytes, type: `ct-${label}` };
    },
  };
}
