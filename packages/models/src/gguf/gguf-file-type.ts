import { GGMLFileQuantizationType, parseGGUFQuantLabel } from '@huggingface/gguf';

/**
 * The llama.cpp file type (`Q4_K_M`, `IQ4_XS`, `BF16`, …) of `general.file_type`
 * (llama.cpp include/llama.h enum llama_ftype; names from @huggingface/tasks GGMLFileQuantizationType).
 * @returns the name, or undefined for an unknown value
 */
export function ggufFileTypeName(value: unknown): string | undefined {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) return undefined;
  const name = (GGMLFileQuantizationType as unknown as Record<number, string | undefined>)[n];
  return name;
}

/** The quantization label in a GGUF file name (`…-Q4_K_M.gguf` → `Q4_K_M`), upper-cased. */
export function quantLabelOfFile(fileName: string): string | undefined {
  return parseGGUFQuantLabel(fileName)?.toUpperCase();
}

/** Split GGUF files: `name-00001-of-00003.gguf` (llama.cpp gguf-split naming). */
export const GGUF_SHARD_RE = /^(?<prefix>.+)-(?<shard>\d{5})-of-(?<total>\d{5})\.gguf$/;
