import { synthesizeTensors, weightBytes } from '@vramkit/core';
import { fixtureArchitecture } from '@vramkit/fixtures';
import { bench, describe } from 'vitest';
import { builtinFormats } from '../src/builtin-formats.js';
import { createFormatRegistry } from '../src/registry.js';

// Bytes of the Llama-3.1-70B inventory (80 layers, 723 tensors) in each format: the cost of one
// `vramkit estimate --quant <id>` weight computation.
const arch = fixtureArchitecture('meta-llama/Meta-Llama-3.1-70B');
const tensors = synthesizeTensors(arch);
const registry = createFormatRegistry(builtinFormats);
const ctx = { arch, numLayers: arch.layers.length };

describe('weightBytes on a 70B inventory', () => {
  for (const id of [
    'bf16',
    'Q4_K_M',
    'IQ2_XS',
    'ggml:Q8_0',
    'gptq-4bit-128g',
    'awq',
    'bnb-nf4-dq',
    'fp8-block',
    'exl2@4.65',
  ]) {
    const format = registry.get(id);
    bench(id, () => {
      weightBytes(tensors, format, ctx);
    });
  }
  bench('Q4_K_M with a fresh context (recipe facts recomputed)', () => {
    weightBytes(tensors, registry.get('Q4_K_M'), { arch, numLayers: arch.layers.length });
  });
});
