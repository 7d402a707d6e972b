/**
 * A storage type described by its block layout: `blockBytes` bytes hold `blockElements` values.
 * Plain types have blocks of one element; ggml's block types carry their scales inside the block.
 */
export interface BlockLayout {
  id: string;
  blockElements: number;
  blockBytes: number;
}

/** Plain (unblocked) dtypes that `@vramkit/core` knows without `@vramkit/quant`. */
export const PLAIN_DTYPES = [
  { id: 'f32', blockElements: 1, blockBytes: 4 },
  { id: 'f16', blockElements: 1, blockBytes: 2 },
  { id: 'bf16', blockElements: 1, blockBytes: 2 },
  { id: 'fp8', blockElements: 1, blockBytes: 1 },
  { id: 'int8', blockElements: 1, blockBytes: 1 },
] as const satisfies readonly BlockLayout[];

/**
 * KV-cache types llama.cpp accepts for `--cache-type-k/-v`, with their ggml block layouts
 * (ggml/src/ggml-common.h: block_q8_0 = f16 scale + 32 int8; block_q4_0 = f16 scale + 16 bytes of nibbles).
 */
export const KV_DTYPES = [
  { id: 'f32', blockElements: 1, blockBytes: 4 },
  { id: 'f16', blockElements: 1, blockBytes: 2 },
  { id: 'bf16', blockElements: 1, blockBytes: 2 },
  { id: 'fp8', blockElements: 1, blockBytes: 1 },
  { id: 'q8_0', blockElements: 32, blockBytes: 2 + 32 },
  { id: 'q4_0', blockElements: 32, blockBytes: 2 + 32 / 2 },
  { id: 'q4_1', blockElements: 32, blockBytes: 2 + 2 + 32 / 2 },
  { id: 'iq4_nl', blockElements: 32, blockBytes: 2 + 32 / 2 },
  { id: 'q5_0', blockElements: 32, blockBytes: 2 + 4 + 32 / 2 },
  { id: 'q5_1', blockElements: 32, blockBytes: 2 + 2 + 4 + 32 / 2 },
] as const satisfies readonly BlockLayout[];

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
  const lower = name.trim().toLowerCase().replace(/^torch\./, '');
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
