import {
  type FormatContext,
  InvalidInputError,
  type Tensor,
  type TensorBytes,
  tensorElements,
  type WeightFormat,
} from '@vramkit/core';
import { isQuantizedLinear, linearDims, optionIn, plainTensorBytes } from './linear-weights.js';

/** FP8 weight scaling granularity. */
export type Fp8Scaling = 'tensor' | 'channel' | 'block';

/** FP8 options (transformers `FineGrainedFP8Config`, vLLM `Fp8Config`, compressed-tensors float8). */
export interface Fp8Options {
  scaling: Fp8Scaling;
  /** `weight_block_size` for block scaling, [out, in]. Default [128, 128] (DeepSeek-V3). */
  blockSize?: readonly [number, number];
  /** Static activation scheme stores one f32 `input_scale` per linear. Default dynamic (none). */
  staticActivations?: boolean;
  modulesToNotConvert?: readonly string[];
}

/**
 * FP8 e4m3 linear weights (1 byte per value) with f32 scales, as vLLM holds them
 * (vllm/model_executor/layers/quantization/fp8.py: per-tensor `weight_scale` [1], per-channel [out, 1],
 * block-wise `weight_scale_inv` [⌈out/128⌉, ⌈in/128⌉] — the DeepSeek-V3 checkpoint stores the same F32
 * tensor). Embeddings, lm_head, routers, norms and biases stay bf16.
 * @throws InvalidInputError for a bad block size
 */
export function fp8Format(options: Fp8Options): WeightFormat {
  const scaling = optionIn('scaling', options.scaling, ['tensor', 'channel', 'block'] as const);
  const [bo, bi] = options.blockSize ?? [128, 128];
  if (!(Number.isSafeInteger(bo) && bo > 0 && Number.isSafeInteger(bi) && bi > 0)) {
    throw new InvalidInputError([
      { path: 'format.blockSize', message: `must be two positive integers, got ${String(options.blockSize)}` },
    ]);
  }
  const skip = options.modulesToNotConvert ?? [];
  const id = scaling === 'block' ? `fp8-block${bo === 128 && bi === 128 ? '' : `-${bo}x${bi}`}` : `fp8-${scaling}`;
  return {
    specVersion: 'v1',
    id,
    description:
      scaling === 'block'
        ? `fp8 e4m3 with an f32 scale per ${bo}×${bi} block (DeepSeek-V3); embeddings, lm_head, routers bf16`
        : `fp8 e4m3 with an f32 scale per ${scaling === 'tensor' ? 'tensor' : 'output channel'}; embeddings, lm_head, routers bf16`,
    bitsPerWeight: scaling === 'block' ? 8 + 32 / (bo * bi) : 8,
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (!isQuantizedLinear(t, skip)) return plainTensorBytes(t, 2, 'bf16');
      const { experts, out, in: k } = linearDims(t);
      const scales = scaling === 'tensor' ? 1 : scaling === 'channel' ? out : Math.ceil(out / bo) * Math.ceil(k / bi);
      const inputScale = options.staticActivations ? 1 : 0;
      return {
        bytes: tensorElements(t) + experts * 4 * (scales + inputScale),
        type: scaling === 'block' ? 'fp8+block-scale' : `fp8+${scaling}-scale`,
      };
    },
  };
}
