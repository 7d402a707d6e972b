import { attentionForwardBytes } from '@vramkit/core';
import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randomFloats, testGpu, withValidation } from '../__fixtures__/gpu-device.js';
import { referenceAttention } from '../reference/attention.js';
import { createNaiveAttention } from './naive-attention.js';

const gpu = await testGpu();
afterAll(() => gpu?.device.destroy());

// f32 on SwiftShader agrees with the float64 reference to ~1e-6; 1e-4 leaves room for other drivers' exp().
const F32_TOLERANCE = 1e-4;

describe.runIf(gpu)('createNaiveAttention', () => {
  const device = gpu!.device;

  it.each([
    { causal: false, batch: 2, heads: 2, seqLen: 37, headDim: 16 },
    { causal: true, batch: 1, heads: 3, seqLen: 70, headDim: 8 },
  ])(
    'matches the CPU reference forward and backward (causal $causal, L $seqLen, d $headDim) within 1e-4',
    async (shape) => {
      const n = shape.batch * shape.heads * shape.seqLen * shape.headDim;
      const q = randomFloats(n, 1);
      const k = randomFloats(n, 2);
      const v = randomFloats(n, 3);
      const dO = randomFloats(n, 4);
      const ref = referenceAttention(
        { batchHeads: shape.batch * shape.heads, seqLen: shape.seqLen, headDim: shape.headDim, causal: shape.causal },
        q,
        k,
        v,
        dO,
      );
      const attn = await createNaiveAttention(device, shape);
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

  it("allocates exactly core's attentionForwardBytes for the forward pass (seed-002 shape, L 128, d 16)", async () => {
    const attn = await createNaiveAttention(device, { batch: 8, heads: 1, seqLen: 128, headDim: 16 });
    const mem = attn.memory();
    const formula = attentionForwardBytes({
      kind: 'naive',
      batch: 8,
      heads: 1,
      queryTokens: 128,
      headDim: 16,
      elementBytes: 4,
    });
    expect(mem.forwardBytes).toBe(formula.bytes);
    const byRole = Object.fromEntries(mem.buffers.map((b) => [b.role, b.bytes]));
    expect(byRole.scores! + byRole.probabilities!).toBe(formula.parts!.scores!.bytes);
    expect(mem.buffers.map((b) => b.role)).toEqual(['q', 'k', 'v', 'scores', 'probabilities', 'output']);
    attn.destroy();
  });

  it('adds dO, dS, dQ, dK, dV as backward buffers on the first backward()', async () => {
    const shape = { batch: 1, heads: 1, seqLen: 16, headDim: 4 };
    const attn = await createNaiveAttention(device, shape);
    const n = 16 * 4;
    attn.write({ q: randomFloats(n, 5), k: randomFloats(n, 6), v: randomFloats(n, 7) });
    await attn.forward();
    expect(attn.memory().backwardBytes).toBe(0);
    await attn.backward(randomFloats(n, 8));
    expect(attn.memory().backwardBytes).toBe(4 * n * 4 + 16 * 16 * 4);
    attn.destroy();
  });

  // f16 storage rounds inputs to 11-bit mantissas; accumulation and P stay f32.
  it.runIf(device.features.has('shader-f16'))(
    'runs in f16 within 2e-2 of the reference, with f16 S and f32 P',
    async () => {
      const shape = { batch: 1, heads: 1, seqLen: 40, headDim: 16, causal: true, dtype: 'f16' as const };
      const n = 40 * 16;
      const [q, k, v] = [61, 62, 63].map((s) => randomFloats(n, s)) as [Float32Array, Float32Array, Float32Array];
      const ref = referenceAttention({ batchHeads: 1, seqLen: 40, headDim: 16, causal: true }, q, k, v);
      const attn = await createNaiveAttention(device, shape);
      attn.write({ q, k, v });
      await attn.forward();
      expect(maxAbsDiff(await attn.read('output'), ref.output)).toBeLessThan(2e-2);
      expect(attn.memory().forwardBytes).toBe(
        attentionForwardBytes({ kind: 'naive', batch: 1, heads: 1, queryTokens: 40, headDim: 16, elementBytes: 2 })
          .bytes,
      );
      attn.destroy();
    },
  );

  it('rejects inputs of the wrong length and f16 without shader-f16', async () => {
    const attn = await createNaiveAttention(device, { batch: 1, heads: 1, seqLen: 8, headDim: 4 });
    expect(() => attn.write({ q: new Float32Array(31), k: new Float32Array(32), v: new Float32Array(32) })).toThrow(
      /attention.q: q must be a Float32Array of batch × heads × seqLen × headDim = 32/,
    );
    attn.destroy();
    if (!device.features.has('shader-f16'))
      await expect(
        createNaiveAttention(device, { batch: 1, heads: 1, seqLen: 8, headDim: 4, dtype: 'f16' }),
      ).rejects.toThrow(/shader-f16/);
  });
});
