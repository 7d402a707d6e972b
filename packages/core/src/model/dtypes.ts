import { type GgmlTypeName, ggmlTypeLayout } from './ggml-types.js';

/**
 * A storage type described by its block layout: `blockBytes` bytes hold `blockElements` values.
 * Plain types have blocks of one element; ggml's block types carry their scales inside the block.
 */
export interface BlockLayout {
  id: string;
  blockElements: number;
  blockBytes: number;
}

function fromGgml<const Id extends string>(
  id: Id,
  type: GgmlTypeName,
): { id: Id; blockElements: number; blockBytes: number } {
  const t = ggmlTypeLayout(type);
  return { id, blockElements: t.blockElements, blockBytes: t.blockBytes };
}

// One byte per value: fp8 (e4m3/e5m2) is not a ggml type; safetensors F8_E4M3/F8_E5M2 (safetensors Dtype::size).
const FP8 = { id: 'fp8', blockElements: 1, blockBytes: 1 } as const;

/** Plain (unblocked) dtypes that `@vramkit/core` knows without `@vramkit/quant`; sizes from {@link GGML_TYPES}. */
export const PLAIN_DTYPES = [
  fromGgml('f32', 'F32'),
  fromGgml('f16', 'F16'),
  fromGgml('bf16', 'BF16'),
  FP8,
  fromGgml('int8', 'I8'),
] as const satisfies readonly BlockLayout[];

/**
 * KV-cache types llama.cpp accepts for `--cache-type-k/-v` (common/arg.cpp `kv_cache_types`), with
 * their ggml block layouts from {@link GGML_TYPES}; fp8 is vLLM's `kv_cache_dtype`. The one list of
 * KV dtypes: schemas, messages and the CLI read {@link KV_DTYPE_IDS}.
 */
export const KV_DTYPES = [
  fromGgml('f32', 'F32'),
  fromGgml('f16', 'F16'),
  fromGgml('bf16', 'BF16'),
  FP8,
  fromGgml('q8_0', 'Q8_0'),
  fromGgml('q4_0', 'Q4_0'),
  fromGgml('q4_1', 'Q4_1'),
  fromGgml('iq4_nl', 'IQ4_NL'),
  fromGgml('q5_0', 'Q5_0'),
  fromGgml('q5_1', 'Q5_1'),
] as const satisfies readonly BlockLayout[];

/** The ids of {@link KV_DTYPES}, in order. */
export const KV_DTYPE_IDS = KV_DTYPES.map((d) => d.id) as readonly KvDtype[] as readonly [KvDtype, ...KvDtype[]];

/**
 * Bytes per element of the safetensors dtypes ggml has no type for (safetensors/src/tensor.rs
 * `Dtype::size`); F16, BF16, F32, F64, I8–I64 come from {@link GGML_TYPES} under the same names.
 */
export const SAFETENSORS_ONLY_DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  F8_E8M0: 1,
  U16: 2,
  U32: 4,
  U64: 8,
};

export type PlainDtype = (typeof PLAIN_DTYPES)[number]['id'];
export type KvDtype = (typeof KV_DTYPES)[number]['id'];

const ALIASES: Record<string, string> = {
  float32: 'f32',
  fp32: 'f32',
  float: 'f32',
  float16: 'f16',
  fp16: 'f16',
  half: 'f16',
  bfloat16: 'bf16',
  fp8_e4m3: 'fp8',
  fp8_e5m2: 'fp8',
  e4m3: 'fp8',
  e5m2: 'fp8',
  float8_e4m3fn: 'fp8',
  float8: 'fp8',
  i8: 'int8',
};

/** Lower-cases a dtype name and maps common spellings (`float16`, `torch.bfloat16`, `fp8_e4m3`) to ours. */
export function normalizeDtypeName(name: string): string {
  const lower = name
    .trim()
    .toLowerCase()
    .replace(/^torch\./, '');
  return ALIASES[lower] ?? lower;
}

const kvLayoutCache = new Map<string, BlockLayout | undefined>();

/** The layout of a KV-cache dtype, or undefined. */
export function kvDtypeLayout(name: string): BlockLayout | undefined {
  if (kvLayoutCache.has(name)) return kvLayoutCache.get(name);
  const id = normalizeDtypeName(name);
  const layout = KV_DTYPES.find((d) => d.id === id);
  if (kvLayoutCache.size < 256) kvLayoutCache.set(name, layout);
  return layout;
}

/** The layout of a plain dtype, or undefined. */
export function plainDtypeLayout(name: string): BlockLayout | undefined {
  const id = normalizeDtypeName(name);
  return PLAIN_DTYPES.find((d) => d.id === id);
}

/**
 * Bytes of a row of `elements` values in a block layout (ggml_row_size). Rows must hold whole blocks;
 * callers check divisibility and fall back to another type when they do not.
 */
export function rowBytes(layout: BlockLayout, elements: number): number {
  return (elements / layout.blockElements) * layout.blockBytes;
}
