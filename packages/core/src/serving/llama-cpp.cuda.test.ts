import { describe, expect, it } from 'vitest';
import type { Architecture } from '../model/architecture.js';
import { MIB } from '../memory/units.js';
import { llama2_7b } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { llamaCppFixtures } from './__fixtures__/llama-cpp-fixtures.js';
import { lookupGpu } from './gpus.js';
import { type LlamaCppOptions, llamaCppMemory } from './llama-cpp.js';

/**
 * The CUDA rules of the llama.cpp model, derived from ggml-cuda's source in the build node-llama-cpp
 * 3.21.1 ships (no GPU is lent to this project, so none is measured here): each test pins one rule
 * with figures worked out by hand from that source, not from the code's output.
 */
const q4 = ggufFileType('Q4_0');
const h100 = lookupGpu('h100-80gb');
const cuda = (o: Partial<LlamaCppOptions> = {}) =>
  llamaCppMemory({ model: llama2_7b, format: q4, gpus: [h100], ctxSize: 4096, ...o });
const attention = (r: ReturnType<typeof llamaCppMemory>) => r.devices[0]!.parts.activations!.parts!.attention!.bytes;
const deepseek = (): Architecture => llamaCppFixtures().find((f) => f.id === 'deepseek2')!.architecture;

describe('llama.cpp on CUDA (ggml-cuda source; not measured here)', () => {
  it('-fa auto stays on where ggml_cuda_get_best_fattn_kernel has a kernel: head 128, K and V both f16 or both q8_0', () => {
    expect(cuda().flashAttn).toBe(true);
    expect(cuda({ cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' }).flashAttn).toBe(true);
  });

  it('-fa auto resolves off on CUDA for K ≠ V types, types without a kernel (q5_1) and head sizes without one (160); the CPU keeps it', () => {
    const kOnly = cuda({ cacheTypeK: 'q8_0', cacheTypeV: 'f16' });
    expect(kOnly.flashAttn).toBe(false);
    expect(kOnly.assumptions.join('\n')).toMatch(/resolved to off: K cache q8_0 and V cache f16 differ/);
    expect(llamaCppMemory({ model: llama2_7b, format: q4, gpus: [], cacheTypeK: 'q8_0' }).flashAttn).toBe(true);
    const head160: Architecture = {
      ...llama2_7b,
      layers: llama2_7b.layers.map((l) => ({ ...l, attention: { ...l.attention, headDim: 160, vHeadDim: 160 } })),
    } as Architecture;
    expect(cuda({ model: head160 }).flashAttn).toBe(false);
    // A quantized V turns auto into on before the backend is asked (llama_init_from_model), kernel or not.
    const q51 = cuda({ cacheTypeK: 'q5_1', cacheTypeV: 'q5_1' });
    expect(q51.flashAttn).toBe(true);
    expect(q51.assumptions.join('\n')).toMatch(/CUDA has no kernel for it \(cache type q5_1/);
  });

  it('without flash attention a quantized K adds nothing to the CUDA compute buffer (MMQ/cuBLAS temporaries live in ggml_cuda_pool)', () => {
    const f16 = cuda({ flashAttn: 'off' });
    const q8 = cuda({ flashAttn: 'off', cacheTypeK: 'q8_0' });
    expect(attention(q8)).toBe(attention(f16));
  });

  it('with flash attention the FA node carries f16 copies of a quantized K and V over every cell of every stream', () => {
    // llama2_7b: 32 KV heads × 128 = 4096 values per cell for K and for V; 4096 cells; 2 bytes each.
    const copy = 2 * 4096 * 4096;
    const base = attention(cuda({ flashAttn: 'on' }));
    expect(attention(cuda({ flashAttn: 'on', cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' })) - base).toBe(2 * copy);
    // -c 8192 -np 2: 4096 cells in each of 2 streams; the reserve graph's K/V views span both.
    const two = { flashAttn: 'on' as const, ctxSize: 8192, parallel: 2 };
    expect(attention(cuda({ ...two, cacheTypeK: 'q4_0', cacheTypeV: 'q4_0' })) - attention(cuda(two))).toBe(4 * copy);
    // 2 tokens per stream or fewer: the vector kernel reads the quantized cache directly, no copy.
    const vec = { flashAttn: 'on' as const, ctxSize: 8192, parallel: 2, ubatchSize: 4, batchSize: 4 };
    expect(attention(cuda({ ...vec, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' }))).toBe(attention(cuda(vec)));
  });

  it('MLA: V is a view of the K latent, so one f16 copy of 576 values per cell, not two', () => {
    const model = deepseek();
    const opts = { model, flashAttn: 'on' as const };
    const extra = attention(cuda({ ...opts, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' })) - attention(cuda(opts));
    expect(extra).toBe(2 * 4096 * 576);
  });

  it('a CUDA model buffer pads quantized rows to 512 values and aligns tensors to 128 bytes', () => {
    // llama2_7b in Q4_0: every matrix row is a multiple of 512 values except ffn_down's 11008 (= 21.5 × 512):
    // each of the 32 gets 256 values more (8 Q4_0 blocks, 144 bytes), aligned to 128: + 256 bytes.
    const gpu = cuda();
    const cpu = llamaCppMemory({ model: llama2_7b, format: q4, gpus: [], ctxSize: 4096 });
    const onGpu = gpu.devices[0]!.parts.weights!.bytes;
    const embd = gpu.host.parts.weights!.bytes;
    expect(onGpu + embd - cpu.host.parts.weights!.bytes).toBe(32 * 256);
    expect(gpu.devices[0]!.parts.activations!.source).toMatch(/not measured here/);
    expect(onGpu / MIB).toBeGreaterThan(3000);
  });
});
