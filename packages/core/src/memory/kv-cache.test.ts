import { describe, expect, it } from 'vitest';
import { deepseekV3, gemma3_1b, llama3_70b, llama3_8b, seed003 } from '../__fixtures__/architectures.js';
import { VramkitError } from '../errors/vramkit-error.js';
import { type KvCacheOptions, kvCacheBytes } from './kv-cache.js';
import { GB, GIB, MIB } from './units.js';

describe('kvCacheBytes', () => {
  it('gives Llama 3 8B 0.5 GiB at 4096 tokens in f16 (GQA: 8 KV heads)', () => {
    const kv = kvCacheBytes(llama3_8b, { tokens: 4096, batch: 1 });
    expect(kv.bytes).toBe(0.5 * GIB);
    expect(kv.bytesPerToken).toBe(2 * 32 * 8 * 128 * 2);
  });

  it("reproduces seed 001's 2.0 GiB for Llama 3 8B at 4096 tokens only under the forced-MHA assumption", () => {
    expect(kvCacheBytes(llama3_8b, { tokens: 4096, batch: 1, forceMha: true }).bytes).toBe(2 * GIB);
  });

  it("reproduces seed 000's ≈4.3 GB (B=4, L=2048) only with MHA; the real cache is 4× smaller", () => {
    const mha = kvCacheBytes(llama3_8b, { tokens: 2048, batch: 4, forceMha: true }).bytes;
    expect((mha / GB).toFixed(1)).toBe('4.3');
    expect(kvCacheBytes(llama3_8b, { tokens: 2048, batch: 4 }).bytes).toBe(mha / 4);
  });

  it("gives Llama 3 70B 1.34 GB at 4096 tokens, as seed 004's formula says (its table's 2.56 GB is 2× off)", () => {
    const kv = kvCacheBytes(llama3_70b, { tokens: 4096, batch: 1 }).bytes;
    expect(kv).toBe(1_342_177_280);
    expect((kv / GB).toFixed(2)).toBe('1.34');
  });

  it('counts the seed-003 MHA model at 512 KiB per token: 2 × 32 × 32 × 128 × 2 bytes', () => {
    expect(kvCacheBytes(seed003, { tokens: 100, batch: 1 }).bytes).toBe(100 * 2 * 32 * 32 * 128 * 2);
  });

  it('includes q8_0 and q4_0 block scales (34 and 18 bytes per 32 values)', () => {
    const f16 = kvCacheBytes(llama3_8b, { tokens: 4096, batch: 1 }).bytes;
    const values = f16 / 2;
    expect(kvCacheBytes(llama3_8b, { tokens: 4096, batch: 1, kDtype: 'q8_0' }).bytes).toBe((values / 32) * 34);
    expect(kvCacheBytes(llama3_8b, { tokens: 4096, batch: 1, kDtype: 'q4_0', vDtype: 'q4_0' }).bytes).toBe(
      (values / 32) * 18,
    );
  });

  it('sizes K and V separately when their dtypes differ', () => {
    const kv = kvCacheBytes(llama3_8b, { tokens: 1024, batch: 2, kDtype: 'q8_0', vDtype: 'f16' }).bytes;
    const perTokenLayer = (1024 / 32) * 34 + 1024 * 2;
    expect(kv).toBe(perTokenLayer * 32 * 1024 * 2);
  });

  it('caps sliding layers at the window: Gemma 3 1B holds 512 tokens in 22 of 26 layers', () => {
    const kv = kvCacheBytes(gemma3_1b, { tokens: 32768, batch: 1 });
    const perToken = 2 * 1 * 256 * 2;
    expect(kv.parts!.full!.bytes).toBe(4 * 32768 * perToken);
    expect(kv.parts!.sliding!.bytes).toBe(22 * 512 * perToken);
    expect(kvCacheBytes(gemma3_1b, { tokens: 32768, batch: 1, ignoreWindows: true }).bytes).toBe(26 * 32768 * perToken);
    expect(kvCacheBytes(gemma3_1b, { tokens: 32768, batch: 1, slidingExtraTokens: 512 }).parts!.sliding!.bytes).toBe(
      22 * 1024 * perToken,
    );
  });

  it('caches the MLA latent for DeepSeek-V3: (512 + 64) × 61 layers per token', () => {
    const kv = kvCacheBytes(deepseekV3, { tokens: 1, batch: 1, kDtype: 'bf16' });
    expect(kv.bytes).toBe((512 + 64) * 61 * 2);
    const expanded = kvCacheBytes(deepseekV3, { tokens: 1, batch: 1, kDtype: 'bf16', mlaCache: 'expanded' });
    expect(expanded.bytes).toBe(61 * 128 * (192 + 128) * 2);
  });

  it('rejects an unknown dtype and a row a block type cannot pack, naming the field', () => {
    expect(() => kvCacheBytes(llama3_8b, { tokens: 1, batch: 1, kDtype: 'q9_x' })).toThrow(
      /kvCache.kDtype: unknown KV dtype/,
    );
    const odd = {
      ...llama3_8b,
      layers: llama3_8b.layers.map((l) => ({
        ...l,
        attention: { ...l.attention, numKvHeads: 1, headDim: 100, vHeadDim: 100 },
      })),
    };
    try {
      kvCacheBytes(odd, { tokens: 1, batch: 1, vDtype: 'q4_0' });
      expect.unreachable();
    } catch (e) {
      expect(VramkitError.isInstance(e) && e.path).toBe('kvCache.vDtype');
    }
  });

  it('is 24 MiB for 128 tokens of a 24-layer, 2048-wide f16 model (llama.cpp pythia-1.4b log)', () => {
    const pythia = {
      ...llama3_8b,
      hiddenSize: 2048,
      layers: Array.from({ length: 24 }, () => ({
        ...llama3_8b.layers[0]!,
        attention: { ...llama3_8b.layers[0]!.attention, numHeads: 16, numKvHeads: 16, headDim: 128, vHeadDim: 128 },
      })),
    };
    expect(kvCacheBytes(pythia as typeof llama3_8b, { tokens: 128, batch: 1 }).bytes).toBe(24 * MIB);
  });

  it('answers the same from its per-architecture layout cache as from a cold one, whatever choices come between', () => {
    // Each choice that shapes the layout differs from its neighbour, so a cache keyed on too few
    // of them hands back another choice's layout (a fresh clone of the architecture has no cache).
    const choices: Omit<KvCacheOptions, 'tokens' | 'batch'>[] = [
      {},
      { kDtype: 'q8_0' },
      { kDtype: 'q8_0', vDtype: 'f16' },
      { stateDtype: 'f16' },
      { forceMha: true },
      { ignoreWindows: true },
      { slidingExtraTokens: 512 },
      { mlaCache: 'expanded' },
      {},
    ];
    const view = (kv: ReturnType<typeof kvCacheBytes>) => ({
      ...JSON.parse(JSON.stringify(kv)),
      perToken: kv.bytesPerToken,
    });
    for (const arch of [llama3_8b, gemma3_1b, deepseekV3]) {
      for (const [i, choice] of [...choices, ...choices].entries()) {
        const o = { tokens: 700 + 1000 * i, batch: 1 + (i % 3), ...choice };
        expect(view(kvCacheBytes(arch, o)), JSON.stringify(o)).toEqual(view(kvCacheBytes(structuredClone(arch), o)));
      }
    }
  });
});
