import { type GgmlTypeLayout, ggmlTensorBytes } from '@vramkit/core';

/** GGUF metadata value types (ggml/include/gguf.h enum gguf_type). */
export const GGUF_VALUE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** One metadata entry: key, type and value (arrays: `[GGUF_VALUE.ARRAY, elementType, values]`). */
export type GgufKv =
  | [
      key: string,
      type: (typeof GGUF_VALUE)['UINT32' | 'INT32' | 'FLOAT32' | 'UINT64' | 'BOOL' | 'STRING'],
      value: number | bigint | boolean | string,
    ]
  | [key: string, type: typeof GGUF_VALUE.ARRAY, elementType: number, values: readonly (number | string)[]];

/** A tensor to declare: GGUF name, ggml dimensions (ne0 = in_features first) and type. */
export interface GgufTensorSpec {
  name: string;
  ne: readonly number[];
  type: GgmlTypeLayout;
}

/**
 * A little GGUF v3 writer for tests (format: ggml/docs/gguf.md): header, metadata, tensor infos,
 * padding to `general.alignment` (32). Tensor data is virtual: the returned `size` counts it, the
 * bytes are not built.
 * @returns header bytes, file size, the offset where tensor data starts, and the tensors' bytes without padding
 */
export function buildGgufFile(
  kvs: readonly GgufKv[],
  tensors: readonly GgufTensorSpec[],
  alignment = 32,
): { head: Uint8Array; size: number; dataOffset: number; tensorBytes: number } {
  const w = new ByteWriter();
  w.bytes(new TextEncoder().encode('GGUF'));
  w.u32(3);
  w.u64(BigInt(tensors.length));
  w.u64(BigInt(kvs.length));
  for (const kv of kvs) {
    w.string(kv[0]);
    w.u32(kv[1]);
    if (kv[1] === GGUF_VALUE.ARRAY) {
      w.u32(kv[2]);
      w.u64(BigInt(kv[3].length));
      for (const v of kv[3]) w.value(kv[2], v);
    } else {
      w.value(kv[1], kv[2]);
    }
  }
  let offset = 0;
  let tensorBytes = 0;
  for (const t of tensors) {
    w.string(t.name);
    w.u32(t.ne.length);
    for (const d of t.ne) w.u64(BigInt(d));
    w.u32(t.type.ggmlType);
    w.u64(BigInt(offset));
    const bytes = ggmlTensorBytes(t.type.id, [...t.ne].reverse());
    tensorBytes += bytes;
    offset += Math.ceil(bytes / alignment) * alignment;
  }
  while (w.length % alignment !== 0) w.bytes(new Uint8Array(1));
  const head = w.done();
  return { head, size: head.byteLength + offset, dataOffset: head.byteLength, tensorBytes };
}

/** Little-endian byte writer for GGUF headers (also used to craft hostile headers in tests). */
export class ByteWriter {
  private chunks: Uint8Array[] = [];
  length = 0;

  bytes(b: Uint8Array): this {
    this.chunks.push(b);
    this.length += b.byteLength;
    return this;
  }

  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return this.bytes(b);
  }

  u64(v: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return this.bytes(b);
  }

  string(s: string): this {
    const e = new TextEncoder().encode(s);
    return this.u64(BigInt(e.byteLength)).bytes(e);
  }

  value(type: number, v: number | bigint | boolean | string): this {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    switch (type) {
      case GGUF_VALUE.UINT32:
        dv.setUint32(0, Number(v), true);
        return this.bytes(b.subarray(0, 4));
      case GGUF_VALUE.INT32:
        dv.setInt32(0, Number(v), true);
        return this.bytes(b.subarray(0, 4));
      case GGUF_VALUE.FLOAT32:
        dv.setFloat32(0, Number(v), true);
        return this.bytes(b.subarray(0, 4));
      case GGUF_VALUE.UINT64:
        dv.setBigUint64(0, BigInt(v), true);
        return this.bytes(b);
      case GGUF_VALUE.BOOL:
        return this.bytes(new Uint8Array([v ? 1 : 0]));
      case GGUF_VALUE.STRING:
        return this.string(String(v));
      default:
        throw new Error(`ByteWriter: value type ${type} not supported`);
    }
  }

  done(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}
