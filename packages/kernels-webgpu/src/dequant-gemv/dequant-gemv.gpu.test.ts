import { afterAll, describe, expect, it } from 'vitest';
import { randomFloats, testGpu, withValidation } from '../__fixtures__/gpu-device.js';
import { toHalfBits } from '../gpu/f16.js';
import { dequantizeGgml } from './cpu-dequantize.js';
import { createDequantGemv } from './dequant-gemv.js';
import { type GemvType, ggmlBlockLayout } from './ggml-blocks.js';

const gpu = await testGpu();
afterAll(() => gpu?.device.destroy());

/** Random blocks: random quant and scale bytes, finite f16 d/dmin in ±[0, 0.05). */
function randomBlocks(type: GemvType, rows: number, cols: number, seed: number): Uint8Array {
  const { blockElements, blockBytes, offsets } = ggmlBlockLayout(type);
  const blocks = (rows * cols) / blockElements;
  const bytes = new Uint8Array(blocks * blockBytes);
  const noise = randomFloats(bytes.length, seed);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor((noise[i]! + 1) * 128) & 0xff;
  const scales = randomFloats(2 * blocks, seed + 1);
  for (let b = 0; b < blocks; b++) {
    for (const [k, field] of (['d', 'dmin'] as const).entries()) {
      const at = offsets[field];
      if (at === undefined) continue;
      const h = toHalfBits(scales[2 * b + k]! * 0.05);
      bytes[b * blockBytes + at] = h & 0xff;
      bytes[b * blockBytes + at + 1] = h >> 8;
    }
  }
  return bytes;
}

describe.runIf(gpu)('createDequantGemv', () => {
  const device = gpu!.device;

  // Q8_0 with 3 blocks per row (102 bytes): rows start off 4-byte boundaries, as in a GGUF file.
  it.each([
    { type: 'Q8_0' as const, rows: 7, cols: 96 },
    { type: 'Q4_K' as const, rows: 5, cols: 512 },
  ])(
    '$type: y = W x matches the CPU dequantizer within 1e-4 relative ($rows × $cols)',
    async ({ type, rows, cols }) => {
      const w = randomBlocks(type, rows, cols, 51);
      const x = randomFloats(cols, 52);
      const dense = dequantizeGgml(type, w, rows * cols);
      const expected = Array.from({ length: rows }, (_, r) => {
        let s = 0;
        for (let c = 0; c < cols; c++) s += dense[r * cols + c]! * x[c]!;
        return s;
      });
      const gemv = await createDequantGemv(device, { type, rows, cols });
      expect(gemv.messages.filter((m) => m.type === 'error')).toEqual([]);
      expect(gemv.weightBytes).toBe(w.length);
      await withValidation(device, async () => {
        gemv.write(w, x);
        await gemv.run();
      });
      const y = await gemv.read();
      const scale = Math.max(...expected.map(Math.abs));
      for (let r = 0; r < rows; r++) expect(Math.abs(y[r]! - expected[r]!) / scale).toBeLessThan(1e-4);
      gemv.destroy();
    },
  );

  it('rejects columns that are not whole blocks and weights of the wrong size', async () => {
    await expect(createDequantGemv(device, { type: 'Q4_K', rows: 1, cols: 100 })).rejects.toThrow(/multiple of 256/);
    const gemv = await createDequantGemv(device, { type: 'Q8_0', rows: 2, cols: 32 });
    expect(() => gemv.write(new Uint8Array(67), new Float32Array(32))).toThrow(/68 bytes/);
    gemv.destroy();
  });
});
