import { type FormatContext, type Tensor, type TensorBytes, tensorElements, type WeightFormat } from '@vramkit/core';
import { isQuantizedLinear, linearDims, optionIn, plainTensorBytes } from './linear-weights.js';

/** bitsandbytes 4-bit options (transformers `BitsAndBytesConfig`). */
export interface Bnb4bitOptions {
  /** `bnb_4bit_quant_type`. Default nf4. */
  quantType?: 'nf4' | 'fp4';
  /** `bnb_4bit_use_double_quant`: absmax quantized to 8 bits in blocks of 256. Default false (transformers' default). */
  doubleQuant?: boolean;
  /** `llm_int8_skip_modules` (lm_head is always skipped, as transformers `get_keys_to_not_convert` does). */
  skipModules?: readonly string[];
}

/** Values per absmax block of bitsandbytes 4-bit weights (bitsandbytes/nn/modules.py Params4bit blocksize=64). */
export const BNB_4BIT_BLOCKSIZE = 64;
/** absmax values per block of the second (double) quantization (functional.py quantize_4bit: blocksize=256). */
export const BNB_NESTED_BLOCKSIZE = 256;
/** The 16-entry f32 code table every 4-bit QuantState holds (functional.py get_4bit_type). */
const CODE_BYTES = 16 * 4;

/**
 * Bytes of one bitsandbytes 4-bit weight with `n` values (bitsandbytes/functional.py quantize_4bit):
 * packed uint8 ⌈n/2⌉; absmax f32 per 64 values, or with double quantization uint8 per 64 values plus
 * f32 nested absmax per 256 blocks and one f32 offset; plus the 64-byte code table. Double quantization
 * thus costs 8/64 + 32/(64·256) ≈ 0.127 bits per weight instead of 32/64 = 0.5 (QLoRA, arXiv:2305.14314 §3).
 */
export function bnb4bitBytes(n: number, doubleQuant: boolean): number {
  const blocks = Math.ceil(n / BNB_4BIT_BLOCKSIZE);
  const packed = Math.ceil(n / 2);
  const absmax = doubleQuant ? blocks + 4 * Math.ceil(blocks / BNB_NESTED_BLOCKSIZE) + 4 : 4 * blocks;
  return packed + absmax + CODE_BYTES;
}

/**
 * bitsandbytes NF4/FP4 (`load_in_4bit`): every nn.Linear except lm_head and the skipped modules
 * becomes Linear4bit; embeddings, norms and biases stay 16-bit (compute dtype). MoE experts stored as
 * one 3-D tensor count as one quantized block stream per expert.
 */
export function bnb4bitFormat(options: Bnb4bitOptions = {}): WeightFormat {
  const quantType = optionIn('quantType', options.quantType ?? 'nf4', ['nf4', 'fp4'] as const);
  const dq = options.doubleQuant ?? false;
  const skip = ['lm_head', ...(options.skipModules ?? [])];
  return {
    specVersion: 'v1',
    id: `bnb-${quantType}${dq ? '-dq' : ''}`,
    description: `bitsandbytes ${quantType.toUpperCase()} 4-bit, absmax per 64${dq ? ' (double-quantized, +0.127 bit)' : ' in f32 (+0.5 bit)'}; lm_head and embeddings 16-bit`,
    bitsPerWeight: 4 + (dq ? 8 / 64 + 32 / (64 * 256) : 32 / 64),
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (!isQuantizedLinear(t, skip)) return plainTensorBytes(t, 2, 'bf16');
      const { experts, out, in: k } = linearDims(t);
      return { bytes: experts * bnb4bitBytes(out * k, dq), type: `${quantType}${dq ? '+dq' : ''}` };
    },
  };
}

/**
 * bitsandbytes LLM.int8 (`load_in_8bit`, Int8Params): int8 weight plus one f32 absmax (SCB) per output
 * row (bitsandbytes/nn/modules.py Int8Params, functional.py int8_vectorwise_quant). lm_head, embeddings
 * and `llm_int8_skip_modules` stay 16-bit.
 */
export function bnbInt8Format(options: { skipModules?: readonly string[] } = {}): WeightFormat {
  const skip = ['lm_head', ...(options.skipModules ?? [])];
  return {
    specVersion: 'v1',
    id: 'bnb-int8',
    description: 'bitsandbytes LLM.int8: int8 weights with an f32 scale per output row; lm_head and embeddings 16-bit',
    bitsPerWeight: 8,
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (!isQuantizedLinear(t, skip)) return plainTensorBytes(t, 2, 'bf16');
      const { experts, out } = linearDims(t);
      return { bytes: tensorElements(t) + experts * out * 4, type: 'int8+scb' };
    },
  };
}
