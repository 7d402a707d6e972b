import { attentionForwardBytes } from '@vramkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randomFloats, testGpu, withValidation } from '../__fixtures__/gpu-device.js';
import { createNaiveAttention } from '../naive-attention/naive-attention.js';
import { referenceAttention } from '../reference/attention.js';
import { createFlashAttention, flashAttentionBlockK } from './flash-attention.js';

const gpu = await testGpu();
afterAll(() => gpu?.device.destroy());

// f32, online softmax: agrees with the float64 reference to ~1e-6 on SwiftShader.
const F32_TOLERANCE = 1e-4;
// f16 storage (inputs rounded to 11-bit mantissas, f32 accumulation): ~1e-3 relative per element.
const F16_TOLERANCE = 2e-2;

describe.runIf(gpu)('createFlashAttention', () => {
  const device = gpu!.device;

  it.each([
    // L not a multiple of the 64-row block or of the key tile; d 64 makes BLOCK_K smaller than BLOCK_Q.
    { causal: false, batch: 2, heads: 1, seqLen: 77, headDim: 16 },
    { causal: true, batch: 1, heads: 2, seqLen: 130, headDim: 64 },
  ])(
    'matches the CPU reference forward and backward (causal $causal, L $seqLen, d $headDim) within 1e-4',
    async (shape) => {
      const n = shape.batch * shape.heads * shape.seqLen * shape.headDim;
      const [q, k, v, dO] = [1, 2, 3, 4].map((s) => randomFloats(n, s)) as [
        Float32Array,
        Float32Array,
        Float32Array,
        Float32Array,
      ];
      const ref = referenceAttention(
        { batchHeads: shape.batch * shape.heads, seqLen: shape.seqLen, headDim: shape.headDim, causal: shape.causal },
        q,
        k,
        v,
        dO,
      );
      const attn = await createFlashAttention(device, shape);
      expect(attn.messages.filter((m) => m.type === 'error')).toEqual([]);
      await withValidation(device, async () => {
        attn.write({ q, k, v });
        await attn.forward();
        await attn.backward(dO);
      });
      expect(maxAbsDiff(await attn.read('output'), ref.output)).toBeLessThan(F32_TOLERANCE);
      expect(maxAbsDiff(await attn.read('grad_q'), ref.gradQ!)).toBeLessThan(F32_TOLERANCE);
      expect(maxAbsDiff(await attn.read('grad_k'), ref.gradK!)).toBeLessThan(F32_TOLERANCE);
      expect(maxAbsDiff(await attn.read('grad_v'), ref.gradV!)).toBeLessThan(F32_TOLERANCE);
      attn.destroy();
    },
  );

  it('agrees with naive attention on the same inputs', async () => {
    const shape = { batch: 1, heads: 1, seqLen: 100, headDim: 32, causal: true };
    const n = 100 * 32;
    const inputs = { q: randomFloats(n, 11), k: randomFloats(n, 12), v: randomFloats(n, 13) };
    const flash = await createFlashAttention(device, shape);
    const naive = await createNaiveAttention(device, shape);
    for (const a of [flash, naive]) {
      a.write(inputs);
      await a.forward();
    }
    expect(maxAbsDiff(await flash.read('output'), await naive.read('output'))).toBeLessThan(F32_TOLERANCE);
    flash.destroy();
    naive.destroy();
  });

  it("allocates core's attentionForwardBytes({ kind: 'flash' }), which doubles with L (no L² buffer)", async () => {
    const bytes = [];
    for (const seqLen of [64, 128, 256]) {
      const attn = await createFlashAttention(device, { batch: 8, heads: 1, seqLen, headDim: 16 });
      const mem = attn.memory();
      expect(mem.forwardBytes).toBe(
        attentionForwardBytes({ kind: 'flash', batch: 8, heads: 1, queryTokens: seqLen, headDim: 16, elementBytes: 4 })
          .bytes,
      );
      expect(mem.buffers.map((b) => b.role)).toEqual(['q', 'k', 'v', 'output', 'logsumexp']);
      bytes.push(mem.forwardBytes);
      attn.destroy();
    }
    expect(bytes[1]).toBe(2 * bytes[0]!);
    expect(bytes[2]).toBe(2 * bytes[1]!);
  });

  it.runIf(device.features.has('shader-f16'))('runs in f16 within 2e-2 of the reference', async () => {
    const shape = { batch: 1, heads: 1, seqLen: 50, headDim: 16, dtype: 'f16' as const };
    const n = 50 * 16;
    const [q, k, v] = [21, 22, 23].map((s) => randomFloats(n, s)) as [Float32Array, Float32Array, Float32Array];
    const ref = referenceAttention({ batchHeads: 1, seqLen: 50, headDim: 16, causal: false }, q, k, v);
    const attn = await createFlashAttention(device, shape);
    attn.write({ q, k, v });
    await attn.forward();
    expect(maxAbsDiff(await attn.read('output'), ref.output)).toBeLessThan(F16_TOLERANCE);
    expect(attn.memory().forwardBytes).toBe(
      attentionForwardBytes({ kind: 'flash', batch: 1, heads: 1, queryTokens: 50, headDim: 16, elementBytes: 2 }).bytes,
    );
    attn.destroy();
  });
});

describe('flashAttentionBlockK', () => {
  it('fits two f32 tiles and two vectors in the WebGPU default 16 KiB of workgroup memory', () => {
    for (const d of [16, 32, 64, 128, 256]) {
      const b = flashAttentionBlockK(d, 16384);
      expect((2 * b * d + 2 * b) * 4).toBeLessThanOrEqual(16384);
      expect((2 * (b + 1) * d + 2 * (b + 1)) * 4 > 16384 || b === 64).toBe(true);
    }
  });
});
