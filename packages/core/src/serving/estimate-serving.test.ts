import { describe, expect, it } from 'vitest';
import { GIB } from '../memory/units.js';
import { plainFormats } from '../formats/weight-format.js';
import { llama2_70b, llama2_7b } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { estimateServing } from './estimate-serving.js';
import { lookupGpu } from './gpus.js';

describe('estimateServing', () => {
  it('gives vLLM Llama-2-70B TP 2 on H100s weights per GPU = half of 128.48 GiB, and the KV pool figures', () => {
    const r = estimateServing({
      engine: 'vllm',
      model: llama2_70b,
      format: plainFormats.bf16,
      gpus: [lookupGpu('h100-80gb')],
      context: 4096,
      vllm: { tensorParallelSize: 2, gpuMemoryUtilization: 0.9 },
    });
    expect(r.gpus).toHaveLength(2);
    expect(r.bytes.weights / GIB).toBeCloseTo(64.24, 1);
    expect(r.engine.kvTokens % 16).toBe(0);
    expect(r.engine.maxConcurrency).toBe(Math.min(256, Math.floor(r.engine.kvTokens / 4096)));
    expect(r.engine.maxContext).toBe(Math.min(4096, r.engine.kvTokens));
  });

  it('reports llama.cpp gpuLayers 33, host bytes and a KV budget for Llama-2-7B Q4_0 on an RTX 3060 12GB at 32k', () => {
    const r = estimateServing({
      engine: 'llama.cpp',
      model: llama2_7b,
      format: ggufFileType('Q4_0'),
      gpus: [lookupGpu('rtx-3060-12gb')],
      context: 4096,
    });
    expect(r.engine.gpuLayers).toBe(33);
    expect(r.engine.hostBytes).toBeGreaterThan(70 * 2 ** 20);
    expect(r.engine.kvBudgetBytes).toBeGreaterThan(r.bytes.kvCache);
    expect(r.engine.maxContext).toBe(4096);
    expect(r.fits).toBe(true);
  });

  it('reports transformers figures with the fp32 prefill logits in the activations under logits: all', () => {
    const r = estimateServing({
      engine: 'transformers',
      model: llama2_7b,
      gpus: [lookupGpu('a100-80gb')],
      context: 2048,
      transformers: { logits: 'all' },
    });
    expect(r.fits).toBe(true);
    expect(r.bytes.activations).toBeGreaterThan(2048 * 32000 * 6);
    expect(r.engine.maxContext).toBe(4096);
  });
});
