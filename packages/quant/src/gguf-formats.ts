import {
  type FormatContext,
  type GgmlTypeName,
  ggmlBitsPerWeight,
  ggmlTensorBytes,
  ggmlTypeLayout,
  InvalidInputError,
  type Tensor,
  type TensorBytes,
  type WeightFormat,
} from '@vramkit/core';
import { type GgufRecipeFacts, ggufRecipeFacts, ggufTensorType } from './gguf-recipe.js';
import { findLlamaFileType, LLAMA_FILE_TYPES, type LlamaFileType, type LlamaFileTypeName } from './llama-file-types.js';

/**
 * Extra context the GGUF formats read when present; a plain `FormatContext` works (the facts then
 * come from `arch`, with imatrix assumed only for file types that require one).
 */
export interface GgufFormatContext extends FormatContext {
  /** An importance matrix is used (llama-quantize --imatrix). Default: the file type's `needsImatrix`. */
  imatrix?: boolean;
  /** Overrides `arch.tiedEmbeddings` (no `output.weight`: token_embd follows the output rule). */
  tiedEmbeddings?: boolean;
}

const factsCache = new WeakMap<object, Map<string, GgufRecipeFacts>>();

function factsFor(ctx: GgufFormatContext, imatrix: boolean): GgufRecipeFacts {
  if (!Number.isInteger(ctx.numLayers) || ctx.numLayers < 0) {
    throw new InvalidInputError([{ path: 'ctx.numLayers', message: `must be a non-negative integer, got ${ctx.numLayers}`, received: ctx.numLayers }]);
  }
  const key = `${ctx.numLayers}|${imatrix}|${ctx.tiedEmbeddings ?? ''}`;
  let perCtx = factsCache.get(ctx);
  if (!perCtx) {
    perCtx = new Map();
    factsCache.set(ctx, perCtx);
  }
  let facts = perCtx.get(key);
  if (!facts) {
    facts = ggufRecipeFacts(ctx.arch, ctx.numLayers, imatrix);
    if (ctx.tiedEmbeddings !== undefined) facts = { ...facts, tiedEmbeddings: ctx.tiedEmbeddings };
    perCtx.set(key, facts);
  }
  return facts;
}

function checkShape(t: Tensor): void {
  if (t.shape.length === 0 && t.kind === 'weight') {
    throw new InvalidInputError([{ path: 'tensor.shape', message: `tensor "${t.name}" has no dimensions`, received: t.shape }]);
  }
  for (const [i, d] of t.shape.entries()) {
    if (!Number.isInteger(d) || d < 0) {
      throw new InvalidInputError([{ path: `tensor.shape[${i}]`, message: `"${t.name}": dimensions must be non-negative integers, got ${d}`, received: d }]);
    }
  }
}

/**
 * The weight format of a llama.cpp file type: each tensor gets the ggml type `llama-quantize` picks
 * (src/llama-quant.cpp `llama_tensor_get_type`) and that type's exact bytes. Sizes are tensor data
 * (what llama.cpp prints as "model size"); {@link ggufFileBytes} adds the header for the file on disk.
 * @param id a file type name, case-insensitive (`Q4_K_M`, `iq2_xs`)
 * @param options `imatrix` fixes the importance-matrix assumption for every context
 * @returns a `WeightFormat` whose `type` per tensor is the ggml type name
 * @throws InvalidInputError when `id` is not a llama.cpp file type
 */
export function llamaFileTypeFormat(id: string, options: { imatrix?: boolean } = {}): WeightFormat {
  const ft = findLlamaFileType(id);
  if (!ft) {
    throw new InvalidInputError([
      { path: 'format', message: `"${id}" is not a llama.cpp file type. Known: ${LLAMA_FILE_TYPES.map((f) => f.id).join(', ')}`, received: id },
    ]);
  }
  return fileTypeFormat(ft, options.imatrix);
}

function fileTypeFormat(ft: LlamaFileType, imatrixOption: boolean | undefined): WeightFormat {
  return {
    specVersion: 'v1',
    id: ft.id,
    description: `llama.cpp ${ft.id} GGUF: ${ft.description}`,
    bitsPerWeight: ggmlBitsPerWeight(ft.defaultType),
    bytesForTensor(t: Tensor, ctx: GgufFormatContext): TensorBytes {
      checkShape(t);
      const facts = factsFor(ctx, imatrixOption ?? ctx.imatrix ?? ft.needsImatrix);
      const type = ggufTensorType(ft.id as LlamaFileTypeName, ft.defaultType, t, facts);
      return { bytes: ggmlTensorBytes(type, t.shape), type };
    },
  };
}

/**
 * Every quantizable matrix in one ggml type (like `llama-quantize --pure`), with llama.cpp's fallback
 * when a row does not hold whole blocks; vectors, norms and routers F32. Id `ggml:<TYPE>`.
 * @param type a ggml type name (`Q8_0`, `IQ4_NL`)
 * @throws NoSuchFormatError for an unknown ggml type
 */
export function ggmlPureFormat(type: string): WeightFormat {
  const layout = ggmlTypeLayout(type);
  const name = layout.id as GgmlTypeName;
  return {
    specVersion: 'v1',
    id: `ggml:${name}`,
    description: `every matrix in ggml ${name} (${layout.blockBytes} bytes per ${layout.blockElements} values), vectors f32`,
    bitsPerWeight: ggmlBitsPerWeight(name),
    bytesForTensor(t: Tensor, ctx: FormatContext): TensorBytes {
      checkShape(t);
      const facts = factsFor(ctx, false);
      const chosen = ggufTensorType('pure', name, t, facts);
      return { bytes: ggmlTensorBytes(chosen, t.shape), type: chosen };
    },
  };
}

/** One format per llama.cpp file type, keyed by id (`Q4_K_M`, …). */
export const llamaFileTypeFormats: Readonly<Record<string, WeightFormat>> = Object.fromEntries(
  LLAMA_FILE_TYPES.map((ft) => [ft.id, fileTypeFormat(ft, undefined)]),
);
