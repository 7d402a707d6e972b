import type { Architecture } from '../architecture.js';
import { tensorElements, type Tensor } from '../tensor.js';
import type { WeightFormat } from '../weight-format.js';
import { defaultExpertModules } from './lora.js';

/** Options of {@link bnbNf4Format}. */
export interface Nf4FormatOptions {
  /** `bnb_4bit_use_double_quant`: quantize the per-block absmax to 8 bits. Default true (QLoRA). */
  doubleQuant?: boolean;
  /** Bytes per element of the tensors bitsandbytes leaves unquantized (`bnb_4bit_compute_dtype` / load dtype). Default 2. */
  unquantizedBytes?: number;
  /** Per-expert nn.Linear experts (Mixtral in transformers < 5) are quantized; fused 3-D expert parameters are not. Default per family. */
  expertModules?: 'per-expert-linear' | 'parameter';
}

// bitsandbytes functional.py quantize_4bit: blocksize 64 for the 4-bit data; with
// compress_statistics the fp32 absmax (one per block) is shifted by its mean (one fp32 offset) and
// quantized with quantize_blockwise(blocksize=256): one uint8 per block plus one fp32 absmax per
// 256 blocks, with the 256-entry fp32 dynamic code. The NF4 code itself is 16 fp32 values.
const BLOCK = 64;
const NESTED_BLOCK = 256;
const NF4_CODE_BYTES = 16 * 4;
const DYNAMIC_CODE_BYTES = 256 * 4;

/**
 * Bytes of one bitsandbytes 4-bit (NF4/FP4) linear weight of `n` elements, exact from
 * `quantize_4bit`: packed data ⌈n/2⌉, absmax per 64-block (fp32, or uint8 + nested fp32 per 256
 * blocks + offset with double quant) and the code tables. 4 + 8/64 + 32/(64·256) ≈ 4.127 bits/weight
 * with double quant (QLoRA paper §3: 0.127 extra bits), 4.5 without.
 * @param n elements of the weight
 * @param doubleQuant `bnb_4bit_use_double_quant`
 */
export function nf4TensorBytes(n: number, doubleQuant: boolean): number {
  const blocks = Math.ceil(n / BLOCK);
  const data = Math.ceil(n / 2);
  if (!doubleQuant) return data + 4 * blocks + NF4_CODE_BYTES;
  return data + blocks + 4 * Math.ceil(blocks / NESTED_BLOCK) + 4 + NF4_CODE_BYTES + DYNAMIC_CODE_BYTES;
}

function isQuantizedLinear(t: Tensor, arch: Architecture | undefined, experts: 'per-expert-linear' | 'parameter'): boolean {
  if (t.kind !== 'weight' || t.role === 'token_embd' || t.role === 'position_embd' || t.role === 'output') return false;
  if (t.shape.length === 2) return t.role !== 'ffn_gate_inp' || !arch?.family.startsWith('deepseek');
  return t.shape.length === 3 && t.role !== 'ssm_conv1d' && experts === 'per-expert-linear';
}

/**
 * The bitsandbytes NF4 base of QLoRA as a {@link WeightFormat}: every nn.Linear except the output
 * head in NF4 (transformers `get_keys_to_not_convert` keeps `lm_head` in 16 bits), everything else
 * in the compute dtype. `@vramkit/quant` ships the full bitsandbytes family; this built-in keeps
 * core's training estimates self-contained.
 */
export function bnbNf4Format(options: Nf4FormatOptions = {}): WeightFormat {
  const dq = options.doubleQuant ?? true;
  const other = options.unquantizedBytes ?? 2;
  // One object per option set, so PreparedModel.weightsIn memoizes the byte count across estimates.
  const key = `${dq}/${other}/${options.expertModules ?? ''}`;
  const hit = FORMAT_CACHE.get(key);
  if (hit) return hit;
  const format = makeFormat(dq, other, options);
  FORMAT_CACHE.set(key, format);
  return format;
}

const FORMAT_CACHE = new Map<string, WeightFormat>();

function makeFormat(dq: boolean, other: number, options: Nf4FormatOptions): WeightFormat {
  return {
    specVersion: 'v1',
    id: dq ? 'bnb-nf4-dq' : 'bnb-nf4',
    description: `bitsandbytes NF4, blocksize 64${dq ? ', double-quantized absmax' : ''}; embeddings, head and vectors in ${other * 8}-bit`,
    bitsPerWeight: dq ? 4 + 8 / BLOCK + 32 / (BLOCK * NESTED_BLOCK) : 4 + 32 / BLOCK,
    bytesForTensor(t, ctx) {
      const experts = options.expertModules ?? (ctx.arch ? defaultExpertModules(ctx.arch) : 'parameter');
      if (!isQuantizedLinear(t, ctx.arch, experts)) return { bytes: tensorElements(t) * other, type: other === 4 ? 'f32' : 'bf16' };
      if (t.shape.length === 3) {
        const [e, o, i] = t.shape as [number, number, number];
        return { bytes: e * nf4TensorBytes(o * i, dq), type: 'nf4' };
      }
      return { bytes: nf4TensorBytes(tensorElements(t), dq), type: 'nf4' };
    },
  };
}
