import { estimateInference, GIB, kvCacheBytes } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { catalogueModel } from '../catalogue/catalogue.js';

describe('seed figures, from the real configs', () => {
  it("explains seed 000's Qwen2 measurement: +7.45 GiB from 6,144 to 14,336 prompt tokens is the fp32 logits, not L²", () => {
    // Seed 000: "20.26GB" at 6144 input tokens, "27.71GB" at 14336 (Qwen2, inference; model size not stated).
    // GPU monitors print MiB / 1024 labelled "GB": read as GiB, the growth is 8.00 GB, which the logits explain.
    // With Qwen2-7B, a plain forward keeps bf16 + fp32 logits for every prompt token: 6 × 152,064 bytes per token.
    const { architecture } = catalogueModel('Qwen/Qwen2-7B');
    const at = (context: number) =>
      estimateInference({ model: architecture, context, logits: 'all', overhead: { allocatorFraction: 0 } }).total;
    const measuredDelta = (27.71 - 20.26) * GIB;
    const predictedDelta = at(14336) - at(6144);
    expect(Math.abs(predictedDelta - measuredDelta) / measuredDelta).toBeLessThan(0.05);
    // Without the logits term the growth would be the KV cache and MLP intermediates only: under half of it.
    const noLogits = (c: number) =>
      estimateInference({ model: architecture, context: c, logits: 'last', overhead: { allocatorFraction: 0 } }).total;
    expect(noLogits(14336) - noLogits(6144)).toBeLessThan(measuredDelta / 2);
  });

  it("corrects seed 001's KV table: GQA models need 4×–8× less than its MHA figures", () => {
    const kv = (id: string) => kvCacheBytes(catalogueModel(id).architecture, { tokens: 4096, batch: 1 }).bytes;
    expect(kv('meta-llama/Llama-3.1-8B') / GIB).toBe(0.5); // seed: ≈2.0 GB
    expect(kv('mistralai/Mixtral-8x7B-v0.1') / GIB).toBe(0.5); // seed: "the same" 2.0 GB
    expect(kv('Qwen/Qwen2.5-72B') / GIB).toBe(1.25); // seed: ≈10 GB (80 layers, 8 KV heads)
  });

  it("puts seed 001's worked example (Llama 3 8B Q4_K_M, 4096 ctx: 4 + 2 + 1.5 GB) right on the KV term", () => {
    const mha = kvCacheBytes(catalogueModel('meta-llama/Llama-3.1-8B').architecture, {
      tokens: 4096,
      batch: 1,
      forceMha: true,
    }).bytes;
    expect(mha / GIB).toBe(2); // the seed's 2 GB is the MHA formula
  });
});
