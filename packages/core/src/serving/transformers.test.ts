import { describe, expect, it } from 'vitest';
import { estimateInference } from '../inference/estimate-inference.js';
import { GIB } from '../memory/units.js';
import { llama2_7b } from './__fixtures__/architectures.js';
import { customGpu, lookupGpu } from './gpus.js';
import { transformersMemory } from './transformers.js';

describe('transformersMemory', () => {
  it('generate() keeps one logits row (logits_to_keep=1): far below a plain forward over the prompt', () => {
    const gen = transformersMemory({ model: llama2_7b, gpus: [lookupGpu('a100-80gb')], context: 32768 });
    const all = transformersMemory({ model: llama2_7b, gpus: [lookupGpu('a100-80gb')], context: 32768, logits: 'all' });
    expect(gen.total).toBe(estimateInference({ model: llama2_7b, context: 32768, logits: 'last' }).total);
    expect(all.total - gen.total).toBeGreaterThan(3 * GIB);
  });

  it('with --logits all is estimateInference with fp32 logits over the prompt, checked against 79.15 GiB on an A100', () => {
    const r = transformersMemory({ model: llama2_7b, gpus: [lookupGpu('a100-80gb')], context: 4096, logits: 'all' });
    const ref = estimateInference({ model: llama2_7b, context: 4096, logits: 'all' });
    expect(r.total).toBe(ref.total);
    expect(r.parts.activations!.parts!.logits!.bytes).toBe(4096 * 32000 * (2 + 4));
    expect(r.fits).toBe(true);
    expect(r.capacityBytes).toBe(Math.round(79.15 * GIB));
  });

  it('checks device_map="auto" over two 8 GiB GPUs against their 16 GiB sum', () => {
    const r = transformersMemory({ model: llama2_7b, gpus: [customGpu(8 * GIB), customGpu(8 * GIB)], context: 512 });
    expect(r.capacityBytes).toBe(16 * GIB);
    expect(r.fits).toBe(true);
    expect(r.assumptions.some((a) => a.includes('device_map'))).toBe(true);
  });
});
