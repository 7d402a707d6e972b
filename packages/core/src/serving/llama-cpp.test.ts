import { describe, expect, it } from 'vitest';
import { MIB } from '../memory/units.js';
import {
  llama2_7b,
  mistral7b,
  openLlama7bV2,
  phi3Medium128k,
  pythia1_4b,
  pythia2_8b,
  alternatingSwa,
} from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { runtimeLogs } from './__fixtures__/runtime-logs.js';
import { lookupGpu } from './gpus.js';
import { llamaCppMemory } from './llama-cpp.js';

const logs = runtimeLogs.llama_cpp;
const v100 = lookupGpu('v100-16gb');
const mib = (bytes: number) => bytes / MIB;

/** The figures of a CUDA CI record (MiB per buffer). */
interface Figures {
  kv_buffer_MiB: { CUDA0: number };
  model_buffer_MiB: { CUDA0: number; CPU: number };
  compute_buffer_MiB: { CUDA0: number; CUDA_Host: number };
  output_buffer_MiB: { CUDA_Host: number };
}

function find(model: string, quant: string, nCtx: number) {
  const r = logs.find(
    (l) => l.model === model && l.quant === quant && 'n_ctx' in l.settings && l.settings.n_ctx === nCtx,
  );
  if (!r) throw new Error(`no log ${model} ${quant} ${nCtx}`);
  return r as unknown as { figures: Figures; settings: { n_batch: number; n_ubatch: number; command: string } };
}

// The CI runs predate flash attention by default and pad the cache to 32 cells (src/llama.cpp llama_kv_cache_get_padding).
const ci = { flashAttn: 'off' as const, kvPadding: 32 };

describe('llamaCppMemory', () => {
  const cases = [
    { arch: openLlama7bV2, model: 'openlm-research/open_llama_7b_v2', quant: 'Q4_0', ftype: 'Q4_0' as const },
    { arch: openLlama7bV2, model: 'openlm-research/open_llama_7b_v2', quant: 'Q8_0', ftype: 'Q8_0' as const },
    { arch: openLlama7bV2, model: 'openlm-research/open_llama_7b_v2', quant: 'F16', ftype: 'F16' as const },
    { arch: pythia2_8b, model: 'EleutherAI/pythia-2.8b', quant: 'F16', ftype: 'F16' as const },
  ];
  for (const c of cases) {
    for (const nCtx of [512, 2048]) {
      const log = find(c.model, c.quant, nCtx);
      const f = log.figures;
      it(`reproduces ${c.model} ${c.quant} n_ctx ${nCtx}: KV ${f.kv_buffer_MiB.CUDA0} MiB exact, model buffers ${f.model_buffer_MiB.CUDA0}/${f.model_buffer_MiB.CPU} MiB, compute ${f.compute_buffer_MiB.CUDA0} MiB`, () => {
        const perplexity = String(log.settings.command).startsWith('perplexity');
        const r = llamaCppMemory({
          model: c.arch,
          format: ggufFileType(c.ftype),
          gpus: [v100],
          ctxSize: nCtx,
          batchSize: log.settings.n_batch,
          ubatchSize: log.settings.n_ubatch,
          nGpuLayers: 999,
          ...ci,
          outputRows: perplexity ? 4 : 1,
        });
        const gpu = r.devices[0]!;
        expect(mib(gpu.parts.kvCache!.bytes)).toBe(f.kv_buffer_MiB.CUDA0);
        expect(mib(gpu.parts.weights!.bytes)).toBeCloseTo(f.model_buffer_MiB.CUDA0, 0);
        expect(mib(r.host.parts.weights!.bytes)).toBeCloseTo(f.model_buffer_MiB.CPU, 1);
        expect(Math.abs(mib(gpu.parts.activations!.bytes) / f.compute_buffer_MiB.CUDA0 - 1)).toBeLessThan(0.03);
        expect(Math.abs(mib(r.host.parts.activations!.bytes) / f.compute_buffer_MiB.CUDA_Host - 1)).toBeLessThan(0.01);
        expect(mib(r.host.parts.output!.bytes)).toBeCloseTo(f.output_buffer_MiB.CUDA_Host, 2);
        const logged = f.model_buffer_MiB.CUDA0 + f.kv_buffer_MiB.CUDA0 + f.compute_buffer_MiB.CUDA0;
        const ours = mib(gpu.total - gpu.parts.overhead!.bytes);
        expect(Math.abs(ours / logged - 1)).toBeLessThan(0.05);
        expect(r.gpuLayers).toBe(33);
      });
    }
  }

  it('reproduces pythia-1.4b Q4_1 on Apple M4: KV 384.00 MiB at n_ctx 2048 and 24.00 MiB at 128, CPU-mapped token_embd 61.41 MiB, Metal-mapped file 864.47 MiB, compute 102.25 / 25.56 MiB', () => {
    const m4 = { ...lookupGpu('m4-16gb') };
    for (const [nCtx, ub, kv, compute, host] of [
      [2048, 512, 384, 102.25, 8.01],
      [128, 128, 24, 25.56, 1.06],
    ] as const) {
      const r = llamaCppMemory({
        model: pythia1_4b,
        format: ggufFileType('Q4_1'),
        gpus: [m4],
        ctxSize: nCtx,
        batchSize: nCtx,
        ubatchSize: ub,
        nGpuLayers: 99,
        ...ci,
      });
      expect(mib(r.devices[0]!.parts.kvCache!.bytes)).toBe(kv);
      expect(mib(r.host.parts.weights!.bytes)).toBeCloseTo(61.41, 2);
      // Metal_Mapped 864.47 MiB: the whole file (tensor data; the file adds its header and vocabulary).
      expect(Math.abs(mib(r.devices[0]!.parts.weights!.bytes) / 864.47 - 1)).toBeLessThan(0.005);
      expect(mib(r.devices[0]!.parts.activations!.bytes)).toBeCloseTo(compute, 1);
      expect(Math.abs(mib(r.host.parts.activations!.bytes) / host - 1)).toBeLessThan(0.01);
      expect(mib(r.host.parts.output!.bytes)).toBeCloseTo(0.19, 2);
    }
  });

  it('splits Phi-3-medium-128k KV at -ngl 15 of 41 like the log: 37.50 MiB on CUDA0, 62.50 MiB on the host', () => {
    const r = llamaCppMemory({
      model: phi3Medium128k,
      format: ggufFileType('Q8_0'),
      gpus: [lookupGpu('rtx-2060')],
      ctxSize: 512,
      ubatchSize: 512,
      batchSize: 512,
      nGpuLayers: 15,
      ...ci,
    });
    expect(mib(r.devices[0]!.parts.kvCache!.bytes)).toBe(37.5);
    expect(mib(r.host.parts.kvCache!.bytes)).toBe(62.5);
    expect(r.devices[0]!.layers).toBe(15);
    expect(r.devices[0]!.outputLayer).toBe(false);
    expect(mib(r.host.parts.output!.bytes)).toBeCloseTo(0.12, 2);
  });

  it('reproduces the 512.00 MiB KV of Mistral 7B at n_ctx 4096 (h2oGPT issue #1072)', () => {
    const r = llamaCppMemory({
      model: mistral7b,
      format: ggufFileType('Q4_0'),
      gpus: [lookupGpu('rtx-3090-ti')],
      ctxSize: 4096,
      ...ci,
    });
    expect(mib(r.devices[0]!.parts.kvCache!.bytes)).toBe(512);
  });

  it('offloads the output layer only when -ngl exceeds n_layer (32 → 33)', () => {
    const base = { model: llama2_7b, format: ggufFileType('Q4_0'), gpus: [v100], ctxSize: 512, ...ci };
    expect(llamaCppMemory({ ...base, nGpuLayers: 32 }).devices[0]!.outputLayer).toBe(false);
    expect(llamaCppMemory({ ...base, nGpuLayers: 33 }).devices[0]!.outputLayer).toBe(true);
    expect(llamaCppMemory({ ...base, nGpuLayers: 1 }).devices[0]!.layers).toBe(1);
  });

  it('refuses a quantized V cache without flash attention, as llama.cpp does; a quantized K is fine (q8_0 K: 4352 + 8192 B per cell per layer)', () => {
    expect(() =>
      llamaCppMemory({
        model: llama2_7b,
        format: ggufFileType('Q4_0'),
        gpus: [v100],
        ctxSize: 4096,
        flashAttn: 'off',
        cacheTypeK: 'q8_0',
        cacheTypeV: 'q8_0',
      }),
    ).toThrow('quantized V cache requires flash_attn to be enabled');
    const r = llamaCppMemory({
      model: llama2_7b,
      format: ggufFileType('Q4_0'),
      gpus: [v100],
      ctxSize: 4096,
      flashAttn: 'off',
      cacheTypeK: 'q8_0',
    });
    // K: 4096 dims → 128 blocks × 34 B = 4352 B; V: 8192 B; × 32 layers × 4096 cells.
    expect(r.devices[0]!.parts.kvCache!.bytes).toBe((4352 + 8192) * 32 * 4096);
    const fa = llamaCppMemory({
      model: llama2_7b,
      format: ggufFileType('Q4_0'),
      gpus: [v100],
      ctxSize: 4096,
      flashAttn: 'on',
      cacheTypeK: 'q8_0',
      cacheTypeV: 'q8_0',
    });
    expect(fa.devices[0]!.parts.kvCache!.bytes).toBe(2 * 4352 * 32 * 4096);
  });

  it('sizes SWA layers at window + ubatch padded to 256: 4096 + 512 = 4608 cells at n_ctx 32768', () => {
    const arch = alternatingSwa();
    const r = llamaCppMemory({
      model: arch,
      format: ggufFileType('F16'),
      gpus: [lookupGpu('rtx-4090')],
      ctxSize: 32768,
      flashAttn: 'on',
    });
    const kv = r.devices[0]!.parts.kvCache!;
    const perCell = 2 * 4 * 256 * 2; // K+V × 4 KV heads × 256 dims × f16
    expect(kv.parts!.sliding!.bytes).toBe(13 * 4608 * perCell);
    expect(kv.parts!.full!.bytes).toBe(13 * 32768 * perCell);
  });

  it('gives each of 4 non-unified sequences 8192 of 32768 cells, and each unified sequence all 32768', () => {
    const base = {
      model: llama2_7b,
      format: ggufFileType('Q4_0'),
      gpus: [lookupGpu('a100-80gb')],
      ctxSize: 32768,
      parallel: 4,
    };
    const split = llamaCppMemory(base);
    const unified = llamaCppMemory({ ...base, kvUnified: true });
    expect(split.contextPerSequence).toBe(8192);
    expect(unified.contextPerSequence).toBe(32768);
    expect(split.devices[0]!.parts.kvCache!.bytes).toBe(unified.devices[0]!.parts.kvCache!.bytes);
  });

  it('splits layers across two GPUs in proportion to --tensor-split 3,1 (25 layers on GPU 0; 7 layers + output on GPU 1, of 33)', () => {
    const r = llamaCppMemory({
      model: llama2_7b,
      format: ggufFileType('Q4_0'),
      gpus: [lookupGpu('rtx-3090'), lookupGpu('rtx-3060-12gb')],
      tensorSplit: [3, 1],
      ctxSize: 4096,
    });
    expect(r.devices.map((d) => d.layers)).toEqual([25, 7]);
    expect(r.devices[1]!.outputLayer).toBe(true);
  });

  it('rejects --tensor-split with the wrong number of values', () => {
    expect(() =>
      llamaCppMemory({ model: llama2_7b, format: ggufFileType('Q4_0'), gpus: [v100], tensorSplit: [1, 1] }),
    ).toThrow(/tensor-split/);
  });
});
