/** A tensor to write into a safetensors header. */
export interface SafetensorsTensorSpec {
  name: string;
  dtype: string;
  shape: readonly number[];
}

/** A safetensors file whose data is virtual: `head` holds the real bytes, the rest of `size` is zeros. */
export interface VirtualFile {
  head: Uint8Array;
  size: number;
}

const BYTES: Record<string, number> = { BF16: 2, F16: 2, F32: 4, U8: 1, I8: 1, I32: 4, F8_E4M3: 1 };

/**
 * Builds the header of a safetensors file (8-byte little-endian length + JSON, padded with spaces to
 * 8 bytes as the reference writer does) with data offsets laid out in order; the data is not built.
 * @returns the header bytes and the size the whole file would have
 */
export function buildSafetensorsFile(
  tensors: readonly SafetensorsTensorSpec[],
  metadata: Record<string, string> = { format: 'pt' },
): VirtualFile {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1) * (BYTES[t.dtype] ?? 2);
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const body = new TextEncoder().encode(json);
  const head = new Uint8Array(8 + body.byteLength);
  new DataView(head.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  head.set(body, 8);
  return { head, size: head.byteLength + offset };
}

/**
 * Splits tensors into `shards` files named like transformers' `save_pretrained`
 * (`model-00001-of-00004.safetensors`) plus the `model.safetensors.index.json` weight map.
 */
export function buildShardedSafetensors(
  tensors: readonly SafetensorsTensorSpec[],
  shards: number,
): Record<string, VirtualFile> {
  const out: Record<string, VirtualFile> = {};
  const per = Math.ceil(tensors.length / shards);
  const weightMap: Record<string, string> = {};
  const pad = (i: number) => String(i).padStart(5, '0');
  let totalSize = 0;
  for (let s = 0; s < shards; s++) {
    const name = `model-${pad(s + 1)}-of-${pad(shards)}.safetensors`;
    const part = tensors.slice(s * per, (s + 1) * per);
    for (const t of part) weightMap[t.name] = name;
    const file = buildSafetensorsFile(part);
    totalSize += file.size - file.head.byteLength;
    out[name] = file;
  }
  const index = new TextEncoder().encode(
    JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }),
  );
  out['model.safetensors.index.json'] = { head: index, size: index.byteLength };
  return out;
}
