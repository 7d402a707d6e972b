import { describe, expect, it } from 'vitest';
import type { Architecture } from '../model/architecture.js';
import { plainFormats } from '../formats/weight-format.js';
import { llama2_7b, opt125m } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { lookupGpu } from './gpus.js';
import { decodeThroughput, draftModelBytes, prefillThroughput, speculativeDecoding } from './throughput.js';

const rtx4090 = lookupGpu('rtx-4090');

describe('decodeThroughput', () => {
  it('reads 13.21 GB of F16 Llama-2-7B weights (all but token_embd) per step: 1008 GB/s × 0.7 / 13.21 GB ≈ 53 tok/s', () => {
    const r = decodeThroughput({ model: llama2_7b, format: plainFormats.f16, gpu: rtx4090, context: 0 });
    expect(r.parts!.weights!.bytes).toBe((6_738_415_616 - 32000 * 4096) * 2);
    expect(r.tokensPerSecond).toBeCloseTo((1008e9 * 0.7) / r.parts!.weights!.bytes, 6);
  });

  it('adds the KV cache read per step: 4096 tokens of Llama-2-7B f16 = 2 GiB more bytes', () => {
    const a = decodeThroughput({ model: llama2_7b, format: plainFormats.f16, gpu: rtx4090, context: 0 });
    const b = decodeThroughput({ model: llama2_7b, format: plainFormats.f16, gpu: rtx4090, context: 4096 });
    expect(b.bytes - a.bytes).toBe(2 * 2 ** 30);
  });

  it('slows to host bandwidth for the CPU-offloaded half (60 GB/s host vs 1008 GB/s × 0.7)', () => {
    const full = decodeThroughput({ model: llama2_7b, format: ggufFileType('Q4_0'), gpu: rtx4090, context: 512 });
    const half = decodeThroughput({
      model: llama2_7b,
      format: ggufFileType('Q4_0'),
      gpu: rtx4090,
      context: 512,
      gpuWeightFraction: 0.5,
    });
    const expected = 1 / (full.bytes / 2 / (1008e9 * 0.7) + full.bytes / 2 / 60e9);
    expect(half.tokensPerSecond).toBeCloseTo(expected, 6);
  });

  it('reads only top-k / E of MoE expert weights at batch 1 (8 experts, top-2 → 25%)', () => {
    const base = llama2_7b.layers[0]!;
    const moe: Architecture = {
      ...llama2_7b,
      layers: llama2_7b.layers.map(() => ({
        ...base,
        mlp: {
          kind: 'moe' as const,
          numExperts: 8,
          topK: 2,
          expertIntermediateSize: 11008,
          gated: true,
          expertBias: false,
          routerBias: false,
          routerCorrectionBias: false,
        },
      })),
    };
    const r = decodeThroughput({ model: moe, format: plainFormats.f16, gpu: lookupGpu('h100-80gb'), context: 0 });
    expect(r.parts!.weights!.note).toMatch(/25\.0% of expert weights/);
  });
});

describe('prefillThroughput', () => {
  it('spends 2 FLOPs per non-embedding parameter plus attention: Llama-2-7B at 0 context ≈ 13.2 GFLOP per token', () => {
    const r = prefillThroughput({ model: llama2_7b, gpu: lookupGpu('h100-80gb'), context: 0 });
    expect(r.bytes).toBe(2 * (6_738_415_616 - 32000 * 4096));
    expect(r.tokensPerSecond).toBeCloseTo((989.4e12 * 0.5) / r.bytes, 6);
  });
});

describe('speculativeDecoding', () => {
  it('yields (1 − 0.8⁵) / 0.2 = 3.36 tokens per step at α 0.8, γ 4 (Leviathan et al. eq. 1)', () => {
    const target = decodeThroughput({ model: llama2_7b, gpu: rtx4090, context: 1024 });
    const draft = decodeThroughput({ model: opt125m, gpu: rtx4090, context: 1024 });
    const r = speculativeDecoding({ target, draft, draftTokens: 4, acceptanceRate: 0.8 });
    expect(r.tokensPerStep).toBeCloseTo(3.3616, 4);
    expect(r.speedup).toBeGreaterThan(1);
  });
});

describe('draftModelBytes', () => {
  it("adds the draft's weights and KV: opt-125m f16 at 2048 tokens = 250,478,592 + 72 MiB", () => {
    const r = draftModelBytes({ model: opt125m, format: plainFormats.f16, context: 2048 });
    expect(r.parts!.weights!.bytes).toBe(250_478_592);
    expect(r.parts!.kvCache!.bytes).toBe(72 * 2 ** 20);
  });
});
