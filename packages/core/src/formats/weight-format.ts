import type { Architecture } from '../model/architecture.js';
import { plainDtypeLayout } from '../model/dtypes.js';
import { type Tensor, tensorElements } from '../model/tensor.js';

/** What a format decides for one tensor: the storage type and its exact byte count. */
export interface TensorBytes {
  bytes: number;
  /** Storage type chosen for this tensor (`Q6_K`, `bf16`, `nf4+absmax`, …). */
  type: string;
}

/** What a format may look at besides the tensor itself (llama.cpp's recipes depend on layer position). */
export interface FormatContext {
  arch?: Architecture;
  /** Decoder layers, for "first/last N layers get more bits" rules. */
  numLayers: number;
}

/**
 * A weight storage format, version 1. `@vramkit/quant` implements the block formats; a separate
 * package can add one with `defineWeightFormat`. A format answers the bytes of each tensor.
 */
export interface WeightFormat {
  specVersion: 'v1';
  /** Stable id used on the command line (`bf16`, `Q4_K_M`, `gptq-4bit-128g`). */
  id: string;
  description: string;
  /** Nominal bits per weight of the quantized matrices, for listing; the bytes come from `bytesForTensor`. */
  bitsPerWeight?: number;
  bytesForTensor(tensor: Tensor, ctx: FormatContext): TensorBytes;
}

/**
 * Roles no weight format quantizes. The MoE router: llama.cpp keeps `ffn_gate_inp` in F32
 * (src/llama-quant.cpp, "do not quantize expert gating tensors"), vLLM builds every router with
 * `quant_config=None` (vllm/model_executor/models/mixtral.py `self.gate = ReplicatedLinear(...)`),
 * GPTQModel/AutoGPTQ MoE definitions list only attention and expert projections, and transformers'
 * routers are no `nn.Linear` that bitsandbytes would replace (models/mixtral `MixtralTopKRouter`).
 * Position embeddings and Mamba's depthwise `conv1d` stay in float as well (llama-quant.cpp).
 */
const NEVER_QUANTIZED_ROLES: ReadonlySet<string> = new Set(['ffn_gate_inp', 'position_embd', 'ssm_conv1d']);

/**
 * Roles GPU weight formats (GPTQ, AWQ, bitsandbytes, fp8, int8, …) also keep in 16 bits: the token
 * embedding and the LM head (transformers `get_keys_to_not_convert` skips `lm_head`; embeddings are
 * no `nn.Linear`). llama.cpp file types do quantize these two (`includeEmbeddings`).
 */
const EMBEDDING_ROLES: ReadonlySet<string> = new Set(['token_embd', 'output']);

/**
 * The one rule for which tensors a format quantizes: a weight of two or more dimensions (`[out, in]`,
 * experts `[experts, out, in]`) that is not a router, a position embedding or a conv1d; embeddings and the LM head only
 * when `includeEmbeddings` (llama.cpp) is set.
 * @param t the tensor
 * @param options.includeEmbeddings quantize `token_embd` and `output` too (GGUF file types do)
 */
export function isQuantizableWeight(t: Tensor, options: { includeEmbeddings?: boolean } = {}): boolean {
  if (t.kind !== 'weight' || t.shape.length < 2) return false;
  if (NEVER_QUANTIZED_ROLES.has(t.role)) return false;
  return options.includeEmbeddings === true || !EMBEDDING_ROLES.has(t.role);
}

function plain(id: 'f32' | 'f16' | 'bf16'): WeightFormat {
  const bytes = plainDtypeLayout(id)!.blockBytes;
  return {
    specVersion: 'v1',
    id,
    description: `every tensor in ${id} (${bytes * 8} bits)`,
    bitsPerWeight: bytes * 8,
    bytesForTensor: (t) => ({ bytes: tensorElements(t) * bytes, type: id }),
  };
}

/**
 * Built-in formats: f32, f16, bf16 for every tensor; `fp8` and `int8` quantize linear weights to one
 * byte and keep embeddings, output and vectors in bf16.
 * fp8: one f32 scale per tensor (vLLM `--quantization fp8`, vllm/model_executor/layers/quantization/fp8.py).
 * int8: one f32 scale per output channel (W8A16 per-channel, as compressed-tensors `channel` strategy).
 */
export const plainFormats = {
  f32: plain('f32'),
  f16: plain('f16'),
  bf16: plain('bf16'),
  fp8: {
    specVersion: 'v1',
    id: 'fp8',
    description: 'fp8 e4m3 linear weights with a per-tensor f32 scale; embeddings, output and vectors in bf16',
    bitsPerWeight: 8,
    bytesForTensor: (t) =>
      isQuantizableWeight(t)
        ? { bytes: tensorElements(t) + 4 * (t.shape.length === 3 ? t.shape[0]! : 1), type: 'fp8' }
        : { bytes: tensorElements(t) * 2, type: 'bf16' },
  },
  int8: {
    specVersion: 'v1',
    id: 'int8',
    description: 'int8 linear weights with a per-output-channel f32 scale; embeddings, output and vectors in bf16',
    bitsPerWeight: 8,
    bytesForTensor: (t) =>
      isQuantizableWeight(t)
        ? { bytes: tensorElements(t) + 4 * (tensorElements(t) / t.shape[t.shape.length - 1]!), type: 'int8' }
        : { bytes: tensorElements(t) * 2, type: 'bf16' },
  },
} as const satisfies Record<string, WeightFormat>;

/** Weight bytes of an inventory in a format, with the total per storage type. */
export interface WeightBytesBreakdown {
  total: number;
  /** Bytes and tensor count per storage type (`Q4_K` 152 tensors, `Q6_K` 33 tensors, …). */
  byType: Record<string, { bytes: number; tensors: number; elements: number }>;
  /** The type chosen for each tensor, in inventory order. */
  perTensor: TensorBytes[];
}

/**
 * Sums the bytes a format assigns to each tensor.
 * @param tensors the inventory (MTP tensors are skipped unless `includeMtp`)
 * @param format a `WeightFormat`
 * @param ctx the architecture and layer count the format may consult
 */
export function weightBytes(
  tensors: readonly Tensor[],
  format: WeightFormat,
  ctx: FormatContext,
  options: { includeMtp?: boolean } = {},
): WeightBytesBreakdown {
  const byType: WeightBytesBreakdown['byType'] = {};
  const perTensor: TensorBytes[] = [];
  let total = 0;
  for (const t of tensors) {
    if (t.mtp && !options.includeMtp) continue;
    const r = format.bytesForTensor(t, ctx);
    perTensor.push(r);
    total += r.bytes;
    let slot = byType[r.type];
    if (!slot) {
      slot = { bytes: 0, tensors: 0, elements: 0 };
      byType[r.type] = slot;
    }
    slot.bytes += r.bytes;
    slot.tensors += 1;
    slot.elements += tensorElements(t);
  }
  return { total, byType, perTensor };
}
