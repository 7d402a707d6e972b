import { ggmlTypeLayout } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { toHalfBits } from '../gpu/f16.js';
import { dequantizeGgml } from './cpu-dequantize.js';
import { ggmlBlockLayout } from './ggml-blocks.js';

describe('ggmlBlockLayout', () => {
  it('takes 34-byte Q8_0 and 144-byte Q4_K blocks from the ggml table', () => {
    expect(ggmlBlockLayout('Q8_0')).toMatchObject({ blockElements: 32, blockBytes: 34 });
    expect(ggmlBlockLayout('Q4_K')).toMatchObject({
      blockElements: 256,
      blockBytes: 144,
      offsets: { d: 0, dmin: 2, scales: 4, qs: 16 },
    });
    expect(ggmlBlockLayout('Q4_K').blockBytes).toBe(ggmlTypeLayout('Q4_K').blockBytes);
  });
});

describe('dequantizeGgml', () => {
  it('decodes a hand-built Q8_0 block: d = 0.5, qs = 0, 1, -1, 127, -128, …', () => {
    const block = new Uint8Array(34);
    const d = toHalfBits(0.5);
    block[0] = d & 0xff;
    block[1] = d >> 8;
    const qs = [0, 1, -1, 127, -128];
    qs.forEach((q, i) => {
      block[2 + i] = q & 0xff;
    });
    const y = dequantizeGgml('Q8_0', block, 32);
    expect(Array.from(y.slice(0, 5))).toEqual([0, 0.5, -0.5, 63.5, -64]);
    expect(y[31]).toBe(0);
  });

  it('decodes a hand-built Q4_K block: sub-block scales and mins from the 12 packed bytes (get_scale_min_k4)', () => {
    const block = new Uint8Array(144);
    const put = (o: number, v: number) => {
      const h = toHalfBits(v);
      block[o] = h & 0xff;
      block[o + 1] = h >> 8;
    };
    put(0, 2); // d
    put(2, 1); // dmin
    // Sub-block 0: scale 3, min 5 (bytes 0 and 4). Sub-block 4: scale = (byte8 & 0xF) | (byte0 >> 6) << 4,
    // min = (byte8 >> 4) | (byte4 >> 6) << 4; byte0 top bits 01 → scale 16 + 2 = 18; byte4 top bits 10 → min 32 + 7 = 39.
    block[4 + 0] = 3 | (1 << 6);
    block[4 + 4] = 5 | (2 << 6);
    block[4 + 8] = 2 | (7 << 4);
    // qs[0] = 0x9A: low nibble 10 (weight 0, sub-block 0), high nibble 9 (weight 32, sub-block 1).
    block[16] = 0x9a;
    // qs[64] = 0x0C: low nibble 12 → weight 128 (sub-block 4).
    block[16 + 64] = 0x0c;
    const y = dequantizeGgml('Q4_K', block, 256);
    expect(y[0]).toBe(2 * 3 * 10 - 1 * 5);
    expect(y[1]).toBe(-5);
    // Sub-block 1 has scale byte1 & 63 = 0, min byte5 & 63 = 0.
    expect(y[32]).toBe(0);
    expect(y[128]).toBe(2 * 18 * 12 - 1 * 39);
    expect(y[129]).toBe(-39);
  });

  it('rejects a partial block', () => {
    expect(() => dequantizeGgml('Q8_0', new Uint8Array(34), 31)).toThrow(/whole blocks of 32/);
  });
});
