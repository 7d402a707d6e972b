import { InvalidInputError, type FormatContext, type Tensor, type TensorBytes, type WeightFormat } from '@vramkit/core';
import { isQuantizedLinear, linearDims, optionIn, plainTensorBytes, requireMultiple } from './linear-weights.js';
import { parseFormatParams, type WeightFormatFamily } from './registry.js';

/** GPTQ parameters (transformers `GPTQConfig`, AutoGPTQ/GPTQModel `quantize_config.json`). */
export interface GptqOptions {
  bits: 2 | 3 | 4 | 8;
  /** Input features per scale/zero group; -1 = one group per row. Default 128. */
  groupSize?: number;
  /** Act-order (`desc_act`): g_idx permutes the groups. The checkpoint stores g_idx either way. */
  descAct?: boolean;
  /** Symmetric quantization; GPTQ v1 packing stores qzeros either way, so bytes do not change. */
  sym?: boolean;
  /** Modules left in 16 bits besides embeddings, lm_head and routers (`modules_to_not_convert`). */
  modulesToNotConvert?: readonly string[];
}

/**
 * GPTQ packed linear layers, byte-exact to AutoGPTQ's `QuantLinear` buffers
 * (auto_gptq/nn_modules/qlinear/qlinear_cuda_old.py; same shapes in GPTQModel and vLLM gptq.py):
 * qweight int32 [in/32·bits, out], qzeros int32 [⌈in/g⌉, out/32·bits], scales f16 [⌈in/g⌉, out],
 * g_idx int32 [in]. Embeddings, lm_head, routers, norms and biases stay f16.
 * @param options bits, group size (-1 for per-row), desc_act, sym
 * @returns a format with id like `gptq-4bit-128g`
 * @throws InvalidInputError for unsupported bits or group sizes
 */
export function gptqFormat(options: GptqOptions): WeightFormat {
  const bits = optionIn('bits', options.bits, [2, 3, 4, 8] as const);
  const groupSize = options.groupSize ?? 128;
  if (!(groupSize === -1 || (Number.isSafeInteger(groupSize) && groupSize > 0))) {
    throw new InvalidInputError([
      { path: 'format.groupSize', message: `must be -1 or a positive integer, got ${groupSize}`, received: groupSize },
    ]);
  }
  const skip = options.modulesToNotConvert ?? [];
  const id = `gptq-${bits}bit-${groupSize === -1 ? 'perrow' : `${groupSize}g`}${options.descAct ? '-actorder' : ''}`;
  return {
    specVersion: 'v1',
    id,
    description: `GPTQ ${bits}-bit, ${groupSize === -1 ? 'one group per row' : `group ${groupSize}`}${options.descAct ? ', act-order' : ''}: int32-packed qweight/qzeros, f16 scales, int32 g_idx`,
    bitsPerWeight: bits + (groupSize === -1 ? 0 : (16 + bits) / groupSize),
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (!isQuantizedLinear(t, skip)) return plainTensorBytes(t, 2, 'f16');
      const { experts, out, in: k } = linearDims(t);
      requireMultiple(t, 'in_features', k, 32, 'AutoGPTQ QuantLinear asserts infeatures % 32 == 0');
      requireMultiple(t, 'out_features', out, 32, 'AutoGPTQ QuantLinear asserts outfeatures % 32 == 0');
      const groups = groupSize === -1 ? 1 : Math.ceil(k / groupSize);
      const qweight = (k / 32) * bits * out * 4;
      const qzeros = groups * (out / 32) * bits * 4;
      const scales = groups * out * 2;
      const gIdx = k * 4;
      return { bytes: experts * (qweight + qzeros + scales + gIdx), type: `gptq-int${bits}` };
    },
  };
}

/** `gptq@bits=4,group=128,desc_act,asym`; defaults bits 4, group 128. */
export const gptqFamily: WeightFormatFamily = {
  specVersion: 'v1',
  kind: 'family',
  id: 'gptq',
  description: 'GPTQ with explicit parameters',
  parameters: 'bits=2|3|4|8,group=<n>|-1,desc_act,asym',
  example: 'bits=4,group=128',
  create(params) {
    const p = parseFormatParams(params);
    const bits = Number(p.get('bits') ?? p.get('positional') ?? 4) as GptqOptions['bits'];
    const group = Number(p.get('group') ?? p.get('group_size') ?? 128);
    return gptqFormat({ bits, groupSize: group, descAct: p.has('desc_act'), sym: !p.has('asym') });
  },
};
