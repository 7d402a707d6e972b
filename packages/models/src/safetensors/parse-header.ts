import { excerpt, parseClock } from '@vramkit/core';
import { ModelParseError } from '../hub/errors.js';

/** One tensor entry of a safetensors header. */
export interface SafetensorsEntry {
  name: string;
  /** safetensors dtype name: `BF16`, `F16`, `F32`, `F8_E4M3`, `U8`, `I32`, … */
  dtype: string;
  shape: number[];
  /** Byte range of the data relative to the end of the header. */
  dataOffsets: [number, number];
}

/** A parsed safetensors header. */
export interface SafetensorsHeader {
  entries: SafetensorsEntry[];
  /** `__metadata__` string map (e.g. `{ format: "pt" }`). */
  metadata: Record<string, string>;
  /** Bytes before the tensor data: 8 (length prefix) + the JSON header. */
  headerBytes: number;
  /** Bytes of tensor data the header declares (largest end offset). */
  dataBytes: number;
}

/**
 * Largest header accepted. A 405B-parameter shard's header is ~100 KB; 25 MB is huggingface.js'
 * limit (packages/hub/src/lib/parse-safetensors-metadata.ts MAX_HEADER_LENGTH) and bounds memory.
 */
export const MAX_SAFETENSORS_HEADER_BYTES = 25_000_000;
/** Largest tensor count in one header; real shards hold at most a few thousand. */
export const MAX_SAFETENSORS_ENTRIES = 200_000;

// Bytes per element, safetensors/src/tensor.rs Dtype::size (sub-byte types are stored packed in U8).
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/**
 * Reads the header length from the first 8 bytes (u64 little-endian).
 * @param prefix at least 8 bytes from the start of the file
 * @param file name for errors
 * @returns the JSON header's length in bytes
 * @throws ModelParseError when the prefix is short or the length is 0 or above {@link MAX_SAFETENSORS_HEADER_BYTES}
 */
export function safetensorsHeaderLength(prefix: Uint8Array, file: string): number {
  if (prefix.byteLength < 8)
    throw new ModelParseError(
      file,
      `truncated: ${prefix.byteLength} bytes, a safetensors file starts with an 8-byte header length`,
    );
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n < 2n) throw new ModelParseError(file, `safetensors header length ${n} is too small`);
  if (n > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    throw new ModelParseError(
      file,
      `safetensors header length ${n} exceeds ${MAX_SAFETENSORS_HEADER_BYTES} bytes; not a safetensors file or a hostile one`,
    );
  }
  return Number(n);
}

/**
 * Parses a safetensors header and checks every entry: known dtype, non-negative integer shape,
 * data offsets whose length equals elements × dtype size (sub-byte formats pack into U8 and pass).
 * @param bytes the file's first `8 + headerLength` bytes (more is ignored)
 * @param file name for errors
 * @param fileSize total file size when known, to reject offsets past the end
 * @param options.parseTimeBudgetMs wall-clock budget of the parse (default core's `PARSE_TIME_BUDGET_MS`, 10 s)
 * @throws ModelParseError for truncated, non-JSON or inconsistent headers; ParseTimeBudgetError past the budget
 */
export function parseSafetensorsHeader(
  bytes: Uint8Array,
  file: string,
  fileSize?: number,
  options: { parseTimeBudgetMs?: number } = {},
): SafetensorsHeader {
  const clock = parseClock('safetensors header', options.parseTimeBudgetMs, { file });
  clock.check();
  const n = safetensorsHeaderLength(bytes, file);
  if (bytes.byteLength < 8 + n)
    throw new ModelParseError(file, `truncated: header declares ${n} bytes, got ${bytes.byteLength - 8}`);
  // Plain JSON.parse: a reviver costs ~5× on 100k-entry headers, and `__proto__` keys become own
  // properties that are skipped below, never merged into other objects.
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new ModelParseError(file, 'safetensors header is not valid JSON', { cause: e });
  }
  clock.check();
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ModelParseError(file, 'safetensors header is not a JSON object');
  const entries: SafetensorsEntry[] = [];
  const metadata: Record<string, string> = {};
  let dataBytes = 0;
  const keys = Object.keys(json);
  if (keys.length > MAX_SAFETENSORS_ENTRIES)
    throw new ModelParseError(file, `${keys.length} tensors exceed the limit of ${MAX_SAFETENSORS_ENTRIES}`);
  for (let i = 0; i < keys.length; i++) {
    const name = keys[i]!;
    if ((i & 1023) === 1023) clock.check();
    if (name === '__proto__') continue;
    const value = (json as Record<string, unknown>)[name];
    if (name === '__metadata__') {
      if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) if (typeof v === 'string') metadata[k] = v;
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (!e || typeof e !== 'object') throw new ModelParseError(file, `tensor ${excerpt(name)} is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES))
      throw new ModelParseError(file, `tensor ${excerpt(name)} has unknown dtype ${excerpt(e.dtype)}`);
    if (!Array.isArray(e.shape) || e.shape.length > 8 || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new ModelParseError(file, `tensor ${excerpt(name)} has an invalid shape ${excerpt(e.shape)}`);
    }
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      !off.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      off[1] < off[0]
    ) {
      throw new ModelParseError(file, `tensor ${excerpt(name)} has invalid data_offsets`);
    }
    const shape = e.shape as number[];
    let elements = 1;
    for (const d of shape) elements *= d;
    const expected = elements * DTYPE_BYTES[e.dtype]!;
    if (!Number.isSafeInteger(expected) || expected !== off[1] - off[0]) {
      throw new ModelParseError(
        file,
        `tensor ${excerpt(name)}: ${shape.join('×')} ${e.dtype} needs ${expected} bytes but data_offsets span ${off[1] - off[0]}`,
      );
    }
    if (fileSize !== undefined && 8 + n + off[1] > fileSize)
      throw new ModelParseError(file, `tensor ${excerpt(name)} ends past the end of the file (${fileSize} bytes)`);
    dataBytes = Math.max(dataBytes, off[1]);
    entries.push({ name, dtype: e.dtype, shape, dataOffsets: [off[0], off[1]] });
  }
  return { entries, metadata, headerBytes: 8 + n, dataBytes };
}
