import { InvalidInputError } from '@vramkit/core';
import { fromHalfBits } from '../gpu/f16.js';
import { type GemvType, ggmlBlockLayout } from './ggml-blocks.js';

const half = (b: Uint8Array, o: number) => fromHalfBits(b[o]! | (b[o + 1]! << 8));

/** ggml-quants.c `get_scale_min_k4`: the 6-bit scale and min of sub-block `j` (0–7) from the 12 packed bytes at `o`. */
function scaleMinK4(b: Uint8Array, o: number, j: number): [number, number] {
  if (j < 4) return [b[o + j]! & 63, b[o + j + 4]! & 63];
  return [(b[o + j + 4]! & 0xf) | ((b[o + j - 4]! >> 6) << 4), (b[o + j + 4]! >> 4) | ((b[o + j]! >> 6) << 4)];
}

/**
 * Dequantizes ggml blocks on the CPU, the oracle of the GPU kernel, following ggml-quants.c
 * `dequantize_row_q8_0` (`y = d · qs[j]`) and `dequantize_row_q4_K` (per 64 weights two sub-blocks:
 * low nibbles `d·sc₁·q − dmin·m₁`, then high nibbles with `sc₂, m₂`).
 * @param data raw tensor bytes as a GGUF file stores them (blocks back to back)
 * @param elements weights to decode, a multiple of the block size
 * @throws InvalidInputError when `elements` is not a whole number of blocks or `data` is too short
 */
export function dequantizeGgml(type: GemvType, data: Uint8Array, elements: number): Float32Array {
  const { blockElements, blockBytes, offsets } = ggmlBlockLayout(type);
  const blocks = elements / blockElements;
  if (!Number.isSafeInteger(blocks) || blocks < 0)
    throw new InvalidInputError([
      {
        path: 'dequantize.elements',
        message: `${type} stores whole blocks of ${blockElements} weights`,
        received: elements,
      },
    ]);
  if (data.length < blocks * blockBytes)
    throw new InvalidInputError([
      {
        path: 'dequantize.data',
        message: `${blocks} ${type} blocks need ${blocks * blockBytes} bytes`,
        received: data.length,
      },
    ]);
  const out = new Float32Array(elements);
  for (let blk = 0; blk < blocks; blk++) {
    const o = blk * blockBytes;
    const y = blk * blockElements;
    const d = half(data, o + offsets.d!);
    if (type === 'Q8_0') {
      for (let j = 0; j < blockElements; j++) out[y + j] = d * ((data[o + offsets.qs! + j]! << 24) >> 24);
      continue;
    }
    const dmin = half(data, o + offsets.dmin!);
    for (let j = 0; j < blockElements / 64; j++) {
      const [sc1, m1] = scaleMinK4(data, o + offsets.scales!, 2 * j);
      const [sc2, m2] = scaleMinK4(data, o + offsets.scales!, 2 * j + 1);
      for (let l = 0; l < 32; l++) {
        const q = data[o + offsets.qs! + 32 * j + l]!;
        out[y + 64 * j + l] = d * sc1 * (q & 0xf) - dmin * m1;
        out[y + 64 * j + 32 + l] = d * sc2 * (q >> 4) - dmin * m2;
      }
    }
  }
  return out;
}
