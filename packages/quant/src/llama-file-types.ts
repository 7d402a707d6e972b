import type { GgmlTypeName } from '@vramkit/core';

/** One llama.cpp file type (`llama_ftype`): what `llama-quantize <in> <out> Q4_K_M` produces. */
export interface LlamaFileType {
  /** Name as `llama-quantize` accepts it (`Q4_K_M`). */
  id: string;
  /** Value of `enum llama_ftype` (include/llama.h), stored as `general.file_type` in GGUF. */
  ftype: number;
  /** Type of every quantized tensor before the per-tensor rules (`llama_ftype_get_default_type`). */
  defaultType: GgmlTypeName;
  /** Whether `llama-quantize` refuses to make it without an importance matrix (imatrix-only types). */
  needsImatrix: boolean;
  description: string;
}

/**
 * llama.cpp file types with their default tensor type, from include/llama.h (`enum llama_ftype`)
 * and src/llama-quant.cpp (`llama_ftype_get_default_type`); removed ids 4–6 and 33–35 left out.
 * `needsImatrix`: the recipe picks a type that src/llama-quant.cpp `tensor_requires_imatrix` lists
 * (IQ1_*, IQ2_*, IQ3_XXS, or Q2_K in a Q2_K_S file).
 */
export const LLAMA_FILE_TYPES = [
  { id: 'F32', ftype: 0, defaultType: 'F32', needsImatrix: false, description: 'every tensor in f32' },
  { id: 'F16', ftype: 1, defaultType: 'F16', needsImatrix: false, description: 'matrices in f16, vectors in f32' },
  { id: 'Q4_0', ftype: 2, defaultType: 'Q4_0', needsImatrix: false, description: 'legacy 4-bit, one f16 scale per 32' },
  { id: 'Q4_1', ftype: 3, defaultType: 'Q4_1', needsImatrix: false, description: 'legacy 4-bit with min, per 32' },
  { id: 'Q8_0', ftype: 7, defaultType: 'Q8_0', needsImatrix: false, description: '8-bit, one f16 scale per 32' },
  { id: 'Q5_0', ftype: 8, defaultType: 'Q5_0', needsImatrix: false, description: 'legacy 5-bit, per 32' },
  { id: 'Q5_1', ftype: 9, defaultType: 'Q5_1', needsImatrix: false, description: 'legacy 5-bit with min, per 32' },
  { id: 'Q2_K', ftype: 10, defaultType: 'Q2_K', needsImatrix: false, description: 'k-quant 2-bit mix (attn_v, ffn_down Q3_K/Q4_K)' },
  { id: 'Q3_K_S', ftype: 11, defaultType: 'Q3_K', needsImatrix: false, description: 'k-quant 3-bit, small' },
  { id: 'Q3_K_M', ftype: 12, defaultType: 'Q3_K', needsImatrix: false, description: 'k-quant 3-bit, medium (attn_v/ffn_down raised)' },
  { id: 'Q3_K_L', ftype: 13, defaultType: 'Q3_K', needsImatrix: false, description: 'k-quant 3-bit, large (attn_v/ffn_down Q5_K)' },
  { id: 'Q4_K_S', ftype: 14, defaultType: 'Q4_K', needsImatrix: false, description: 'k-quant 4-bit, small' },
  { id: 'Q4_K_M', ftype: 15, defaultType: 'Q4_K', needsImatrix: false, description: 'k-quant 4-bit, medium (half of attn_v/ffn_down Q6_K)' },
  { id: 'Q5_K_S', ftype: 16, defaultType: 'Q5_K', needsImatrix: false, description: 'k-quant 5-bit, small' },
  { id: 'Q5_K_M', ftype: 17, defaultType: 'Q5_K', needsImatrix: false, description: 'k-quant 5-bit, medium' },
  { id: 'Q6_K', ftype: 18, defaultType: 'Q6_K', needsImatrix: false, description: 'k-quant 6-bit' },
  { id: 'IQ2_XXS', ftype: 19, defaultType: 'IQ2_XXS', needsImatrix: true, description: 'i-quant 2.06 bpw' },
  { id: 'IQ2_XS', ftype: 20, defaultType: 'IQ2_XS', needsImatrix: true, description: 'i-quant 2.31 bpw' },
  { id: 'Q2_K_S', ftype: 21, defaultType: 'Q2_K', needsImatrix: true, description: 'k-quant 2-bit, small' },
  { id: 'IQ3_XS', ftype: 22, defaultType: 'IQ3_S', needsImatrix: true, description: 'i-quant 3.3 bpw mix' },
  { id: 'IQ3_XXS', ftype: 23, defaultType: 'IQ3_XXS', needsImatrix: true, description: 'i-quant 3.06 bpw' },
  { id: 'IQ1_S', ftype: 24, defaultType: 'IQ1_S', needsImatrix: true, description: 'i-quant 1.56 bpw' },
  { id: 'IQ4_NL', ftype: 25, defaultType: 'IQ4_NL', needsImatrix: false, description: 'non-linear 4-bit, per 32' },
  { id: 'IQ3_S', ftype: 26, defaultType: 'IQ3_S', needsImatrix: false, description: 'i-quant 3.44 bpw' },
  { id: 'IQ3_M', ftype: 27, defaultType: 'IQ3_S', needsImatrix: false, description: 'i-quant 3.44 bpw mix' },
  { id: 'IQ2_S', ftype: 28, defaultType: 'IQ2_XS', needsImatrix: true, description: 'i-quant 2.5 bpw mix' },
  { id: 'IQ2_M', ftype: 29, defaultType: 'IQ2_S', needsImatrix: true, description: 'i-quant 2.7 bpw mix' },
  { id: 'IQ4_XS', ftype: 30, defaultType: 'IQ4_XS', needsImatrix: false, description: 'non-linear 4-bit, 4.25 bpw' },
  { id: 'IQ1_M', ftype: 31, defaultType: 'IQ1_M', needsImatrix: true, description: 'i-quant 1.75 bpw' },
  { id: 'BF16', ftype: 32, defaultType: 'BF16', needsImatrix: false, description: 'matrices in bf16, vectors in f32' },
  { id: 'TQ1_0', ftype: 36, defaultType: 'TQ1_0', needsImatrix: false, description: 'ternary 1.69 bpw' },
  { id: 'TQ2_0', ftype: 37, defaultType: 'TQ2_0', needsImatrix: false, description: 'ternary 2.06 bpw' },
  { id: 'MXFP4_MOE', ftype: 38, defaultType: 'MXFP4', needsImatrix: false, description: 'MoE experts in MXFP4, other matrices Q8_0' },
] as const satisfies readonly LlamaFileType[];

/** A llama.cpp file type name (`Q4_K_M`, `IQ2_XS`, …). */
export type LlamaFileTypeName = (typeof LLAMA_FILE_TYPES)[number]['id'];

/** The file type with this name (case-insensitive), or undefined. */
export function findLlamaFileType(id: string): LlamaFileType | undefined {
  const upper = id.trim().toUpperCase();
  return LLAMA_FILE_TYPES.find((f) => f.id === upper);
}
