import { NoSuchFormatError, plainFormats, type WeightFormat } from '@vramkit/core';

/**
 * Finds a weight format by id (case-insensitive) among the built-in plain dtypes and any extra
 * formats (the quant registry, plugins).
 * @throws NoSuchFormatError listing the known ids
 */
export function resolveFormat(id: string, extra: Readonly<Record<string, WeightFormat>> = {}): WeightFormat {
  const all: Record<string, WeightFormat> = { ...plainFormats, ...extra };
  const key = id.trim().toLowerCase();
  const alias: Record<string, string> = { fp16: 'f16', float16: 'f16', bfloat16: 'bf16', fp32: 'f32', float32: 'f32' };
  const hit = Object.values(all).find((f) => f.id.toLowerCase() === (alias[key] ?? key));
  if (!hit) throw new NoSuchFormatError(id, Object.values(all).map((f) => f.id), 'quant');
  return hit;
}
