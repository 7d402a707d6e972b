import { describe, expect, it } from 'vitest';
import type { Architecture } from '../model/architecture.js';
import { GIB, MIB } from '../memory/units.js';
import { llama2_7b } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { llamaCppFixtures } from './__fixtures__/llama-cpp-fixtures.js';
import { estimateServing } from './estimate-serving.js';
import { customGpu, lookupGpu } from './gpus.js';
import { llamaCppMemory } from './llama-cpp.js';
import { runEngine } from './serving.js';

// The architectures vramkit normalizes from the real configs (recorded with the harness fixtures), at full depth.
const fixture = (id: string, layers?: number): Architecture => {
  const f = llamaCppFixtures().find((x) => x.id === id)!;
  const a = f.architecture;
  return layers ? { ...a, layers: Array.from({ length: layers }, (_, i) => a.layers[i % a.layers.length]!) } : a;
};
const q4 = ggufFileType('Q4_0');

describe('llama.cpp semantics (each a symptom of issue "Engines as profiles")', () => {
  it('Mistral-7B-v0.1 converts to `llama`: no sliding-window cache, 4,096 MiB of KV at 32k (not 576 MiB)', () => {
    const mistral = fixture('mistral-v0.1', 32);
    expect(mistral.layers[0]!.attention.kind).toBe('sliding');
    const r = llamaCppMemory({ model: mistral, format: q4, gpus: [], ctxSize: 32768 });
    expect(r.ggufArchitecture).toBe('llama');
    expect(r.swaCells).toBeUndefined();
    expect(r.host.parts.kvCache!.bytes).toBe(4096 * MIB);
  });

  it('phi3 has no SWA cache in llama.cpp ("SWA is currently disabled"): full KV on every layer', () => {
    const phi3 = fixture('phi3');
    const r = llamaCppMemory({ model: phi3, format: q4, gpus: [], ctxSize: 32768 });
    expect(r.swaCells).toBeUndefined();
    // 32 layers × 32,768 cells × 3072 × 2 (K, V) × 2 bytes = 12 GiB.
    expect(r.host.parts.kvCache!.bytes).toBe(12 * GIB);
  });

  it('gemma2 keeps its SWA cache: window 4096 + ubatch 512 = 4608 cells on half the layers', () => {
    const r = llamaCppMemory({ model: fixture('gemma2'), format: q4, gpus: [], ctxSize: 32768 });
    expect(r.ggufArchitecture).toBe('gemma2');
    expect(r.swaCells).toBe(4608);
  });

  it('pads n_ctx, each sequence and the SWA cache to 256 cells whatever flash attention: -c 5000 → 5120', () => {
    for (const flashAttn of ['on', 'off'] as const) {
      const r = llamaCppMemory({ model: llama2_7b, format: q4, gpus: [], ctxSize: 5000, flashAttn });
      expect(r.kvCells).toBe(5120);
    }
    const np3 = llamaCppMemory({ model: llama2_7b, format: q4, gpus: [], ctxSize: 10000, parallel: 3 });
    expect([np3.kvCells, np3.kvStreams, np3.nCtx]).toEqual([3584, 3, 10752]);
  });

  it('-fa auto resolves to on for the CPU backend too', () => {
    expect(llamaCppMemory({ model: llama2_7b, format: q4, gpus: [], ctxSize: 4096 }).flashAttn).toBe(true);
  });

  it('refuses what llama.cpp refuses, with its reason: quantized V without FA, --parallel above 256 or beyond the context', () => {
    expect(() =>
      llamaCppMemory({ model: llama2_7b, format: q4, gpus: [], flashAttn: 'off', cacheTypeV: 'q4_0' }),
    ).toThrow('quantized V cache requires flash_attn to be enabled');
    expect(() => llamaCppMemory({ model: llama2_7b, format: q4, gpus: [], parallel: 257 })).toThrow(
      'n_seq_max must be <= 256',
    );
    expect(() =>
      llamaCppMemory({ model: llama2_7b, format: q4, gpus: [], ctxSize: 200, parallel: 256, kvPadding: 1 }),
    ).toThrow('n_ctx_seq == 0');
  });

  it('MLA with different K and V cache types is refused', () => {
    const a = llama2_7b;
    const mla: Architecture = {
      ...a,
      layers: a.layers.map(
        (l) =>
          ({
            ...l,
            attention: {
              ...l.attention,
              mla: { qLoraRank: 0, kvLoraRank: 512, qkRopeHeadDim: 64, qkNopeHeadDim: 128, vHeadDim: 128 },
            },
          }) as typeof l,
      ),
    };
    expect(() => llamaCppMemory({ model: mla, format: q4, gpus: [], cacheTypeK: 'q8_0', cacheTypeV: 'f16' })).toThrow(
      'MLA requires the K and V cache types to be equal',
    );
  });

  it('-c 32768 -np 4: 8,192 cells per sequence, concurrency 4 (the slots), not what memory would allow', () => {
    const e = estimateServing({
      engine: 'llama.cpp',
      model: llama2_7b,
      format: q4,
      gpus: [lookupGpu('h100-80gb')],
      llamaCpp: { ctxSize: 32768, parallel: 4 },
    });
    expect(e.context).toBe(8192);
    expect(e.batch).toBe(4);
    expect(e.engine.maxConcurrency).toBe(4);
  });

  it('without a GPU: what one GPU needs with every layer on it, and no "fits: yes"; -ngl 0 runs on the CPU', () => {
    const none = runEngine({ engine: 'llama.cpp', model: llama2_7b, format: q4, gpus: [] }, 4096, 1);
    expect(none.fits).toBe(false);
    expect(none.binding).toBe('no-gpu');
    expect(none.gpus[0]!.bytes.weights).toBeGreaterThan(3.4 * GIB);
    expect(none.gpus[0]!.bytes.kvCache).toBe(2 * GIB);
    const cpu = runEngine(
      { engine: 'llama.cpp', model: llama2_7b, format: q4, gpus: [], llamaCpp: { nGpuLayers: 0 } },
      4096,
      1,
    );
    expect(cpu.gpus).toHaveLength(0);
    expect(cpu.fits).toBe(true);
  });

  it('"fits" keeps 1 GiB free by default (tight inside it), overridable', () => {
    const need = runEngine(
      { engine: 'llama.cpp', model: llama2_7b, format: q4, gpus: [], llamaCpp: { nGpuLayers: 99 } },
      4096,
      1,
    ).gpus[0]!.bytes.total;
    const justOver = customGpu(need + 0.5 * GIB);
    const r = runEngine(
      { engine: 'llama.cpp', model: llama2_7b, format: q4, gpus: [justOver], llamaCpp: { nGpuLayers: 99 } },
      4096,
      1,
    );
    expect(r.fits).toBe(false);
    expect(r.gpus[0]!.tight).toBe(true);
    expect(
      runEngine(
        {
          engine: 'llama.cpp',
          model: llama2_7b,
          format: q4,
          gpus: [justOver],
          llamaCpp: { nGpuLayers: 99 },
          marginBytes: 0,
        },
        4096,
        1,
      ).fits,
    ).toBe(true);
  });
});
