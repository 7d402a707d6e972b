import {
  type Breakdown,
  type BreakdownPart,
  type FormatContext,
  InvalidInputError,
  part,
  type Tensor,
  type WeightFormat,
  weightBytes,
} from '@vramkit/core';

/** GGUF data alignment (`general.alignment`, default 32: ggml/src/gguf.cpp GGUF_DEFAULT_ALIGNMENT). */
export const GGUF_ALIGNMENT = 32;

/** What the metadata estimate needs to know about the tokenizer and the rest of the key/values. */
export interface GgufMetadataOptions {
  /** Rows of the vocabulary (`tokenizer.ggml.tokens` entries). */
  vocabSize: number;
  /** Mean UTF-8 bytes per token string. Default 6 (BPE vocabularies of 32k–152k tokens). */
  averageTokenBytes?: number;
  /** `tokenizer.ggml.merges` entries (BPE only; Llama 3: 280,147). Default 0. */
  merges?: number;
  /** Mean bytes per merge string (`"Ġ t"`). Default 10. */
  averageMergeBytes?: number;
  /** Every other key/value (architecture numbers, chat template, names). Default 16 KiB. */
  otherKeyValueBytes?: number;
}

// gguf.cpp writes strings as u64 length + bytes; a key/value as key string, u32 type, value.
const STRING_HEADER = 8;

function ggufName(t: Tensor): string {
  const suffix = t.kind === 'bias' ? 'bias' : 'weight';
  return t.layer === undefined ? `${t.role}.${suffix}` : `blk.${t.layer}.${t.role}.${suffix}`;
}

/**
 * Bytes of a GGUF file before its tensor data: the fixed header, one tensor info per tensor, the
 * tokenizer arrays and the other key/values, padded to the alignment (ggml/docs/gguf.md layout:
 * magic u32, version u32, tensor_count u64, kv_count u64; tensor info = name, n_dims u32, dims u64[n],
 * type u32, offset u64; arrays = u32 type + u64 count + items). The tokenizer dominates: Llama 3's
 * 128,256 tokens and 280,147 merges take ≈6 MB. An estimate: string lengths are averages.
 * @param tensors the inventory written to the file (GGUF names are rebuilt from role and layer)
 * @param options vocabulary and merges
 * @returns the metadata size with its parts
 * @throws InvalidInputError for a negative or non-integer vocabulary
 */
export function ggufMetadataBytes(tensors: readonly Tensor[], options: GgufMetadataOptions): Breakdown {
  if (!Number.isSafeInteger(options.vocabSize) || options.vocabSize < 0) {
    throw new InvalidInputError([
      {
        path: 'vocabSize',
        message: `must be a non-negative integer, got ${options.vocabSize}`,
        received: options.vocabSize,
      },
    ]);
  }
  const tokenBytes = options.averageTokenBytes ?? 6;
  const merges = options.merges ?? 0;
  const mergeBytes = options.averageMergeBytes ?? 10;
  const header = 4 + 4 + 8 + 8;
  let infos = 0;
  for (const t of tensors) infos += STRING_HEADER + ggufName(t).length + 4 + 8 * t.shape.length + 4 + 8;
  const arrayHeader = (key: string) => STRING_HEADER + key.length + 4 + 4 + 8;
  const vocab = options.vocabSize;
  const tokens = arrayHeader('tokenizer.ggml.tokens') + vocab * (STRING_HEADER + tokenBytes);
  const scores = arrayHeader('tokenizer.ggml.scores') + vocab * 4;
  const tokenTypes = arrayHeader('tokenizer.ggml.token_type') + vocab * 4;
  const mergesBytes = merges > 0 ? arrayHeader('tokenizer.ggml.merges') + merges * (STRING_HEADER + mergeBytes) : 0;
  const other = options.otherKeyValueBytes ?? 16 * 1024;
  const unpadded = header + infos + tokens + scores + tokenTypes + mergesBytes + other;
  const padding = (GGUF_ALIGNMENT - (unpadded % GGUF_ALIGNMENT)) % GGUF_ALIGNMENT;
  const src = 'ggml/docs/gguf.md (file layout); ggml/src/gguf.cpp (string and array encoding)';
  const parts: Record<string, BreakdownPart> = {
    header: part(header, 'magic, version, tensor and key/value counts', { accuracy: 'exact', source: src }),
    tensorInfos: part(infos, `${tensors.length} tensor infos: name, dims, type, offset`, {
      accuracy: 'exact',
      source: src,
    }),
    tokenizer: part(
      tokens + scores + tokenTypes + mergesBytes,
      `${vocab} tokens × (8 + ${tokenBytes} B + f32 score + i32 type)${merges ? ` + ${merges} merges × (8 + ${mergeBytes} B)` : ''}`,
      {
        accuracy: 'model',
        source: src,
      },
    ),
    otherKeyValues: part(other, 'architecture key/values, names, chat template', { accuracy: 'model' }),
    padding: part(padding, `to the ${GGUF_ALIGNMENT}-byte data alignment`, { accuracy: 'exact', source: src }),
  };
  return { total: unpadded + padding, parts };
}

/**
 * Size of a GGUF file: tensor data in a format (each tensor padded to the 32-byte alignment) plus the
 * metadata estimate. llama.cpp's "model size" is the `tensorData` part alone.
 * @param tensors the inventory
 * @param format a GGUF format (`Q4_K_M`, `ggml:Q8_0`, `gguf`)
 * @param ctx architecture and layer count
 * @param metadata tokenizer facts for {@link ggufMetadataBytes}
 * @returns `{ total, parts: { tensorData (children per ggml type), metadata } }`
 */
export function ggufFileBytes(
  tensors: readonly Tensor[],
  format: WeightFormat,
  ctx: FormatContext,
  metadata: GgufMetadataOptions,
): Breakdown {
  const w = weightBytes(tensors, format, ctx);
  let padding = 0;
  for (const r of w.perTensor) padding += (GGUF_ALIGNMENT - (r.bytes % GGUF_ALIGNMENT)) % GGUF_ALIGNMENT;
  const byType: Record<string, BreakdownPart> = {};
  for (const [type, s] of Object.entries(w.byType))
    byType[type] = part(s.bytes, `${s.tensors} tensors, ${s.elements} values`, { accuracy: 'exact' });
  const meta = ggufMetadataBytes(tensors, metadata);
  const parts: Record<string, BreakdownPart> = {
    tensorData: part(w.total + padding, `Σ ggml_nbytes over ${w.perTensor.length} tensors in ${format.id}`, {
      accuracy: 'exact',
      parts: byType,
    }),
    metadata: part(meta.total, 'GGUF header, tensor infos and tokenizer', { accuracy: 'model', parts: meta.parts }),
  };
  return { total: parts.tensorData!.bytes + meta.total, parts };
}
