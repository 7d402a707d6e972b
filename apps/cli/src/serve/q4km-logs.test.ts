import { llamaCppMemory, lookupGpu, MIB } from '@vramkit/core';
import { llamaFileTypeFormats } from '@vramkit/quant';
import { describe, expect, it } from 'vitest';
// Hand-built architectures of the runtime-log models (core's serving fixtures, with their config sources).
import {
  openLlama7bV2,
  phi3Medium128k,
  pythia2_8b,
} from '../../../../packages/core/src/serving/__fixtures__/architectures.js';

const q4km = llamaFileTypeFormats.Q4_K_M!;
const ci = { flashAttn: 'off' as const, kvPadding: 32, ctxSize: 512, batchSize: 512, ubatchSize: 512 };
const mib = (b: number) => b / MIB;

// llama.cpp CI logs (ggml-org/ci, ggml-4-x86-cuda-v100 *-tg-q4_k.log) and llama.cpp issue #7439; see ../shared/data/runtime_logs.json.
describe('llamaCppMemory with @vramkit/quant Q4_K_M', () => {
  it('reproduces open_llama_7b_v2 Q4_K_M model buffers: CUDA0 3820.94 MiB, CPU 70.31 MiB', () => {
    const r = llamaCppMemory({
      model: openLlama7bV2,
      format: q4km,
      gpus: [lookupGpu('v100-16gb')],
      nGpuLayers: 999,
      ...ci,
    });
    expect(mib(r.devices[0]!.parts.weights!.bytes)).toBeCloseTo(3820.94, 0);
    expect(mib(r.host.parts.weights!.bytes)).toBeCloseTo(70.31, 1);
  });

  it('reproduces pythia-2.8b Q4_K_M model buffers: CUDA0 1632.95 MiB, CPU 69.08 MiB', () => {
    const r = llamaCppMemory({
      model: pythia2_8b,
      format: q4km,
      gpus: [lookupGpu('v100-16gb')],
      nGpuLayers: 999,
      ...ci,
    });
    expect(Math.abs(mib(r.devices[0]!.parts.weights!.bytes) / 1632.95 - 1)).toBeLessThan(0.01);
    expect(mib(r.host.parts.weights!.bytes)).toBeCloseTo(69.08, 1);
  });

  it('reproduces Phi-3-medium-128k Q4_K_M at -ngl 15: CUDA0 model buffer 3016.11 MiB', () => {
    const r = llamaCppMemory({
      model: phi3Medium128k,
      format: q4km,
      gpus: [lookupGpu('rtx-2060')],
      nGpuLayers: 15,
      ...ci,
    });
    expect(Math.abs(mib(r.devices[0]!.parts.weights!.bytes) / 3016.11 - 1)).toBeLessThan(0.01);
  });
});
