import { bench, describe } from 'vitest';
import { deepseekV3, llama3_8b } from '../src/__fixtures__/architectures.js';
import { estimateInference } from '../src/inference/estimate-inference.js';
import { kvCacheBytes } from '../src/memory/kv-cache.js';
import { prepareModel } from '../src/model/prepare-model.js';

// Estimates per second for a prepared model (target: well over 1,000,000/s). vitest prints hz and
// the ratio between the cases of a group.
const llama = prepareModel(llama3_8b);
const deepseek = prepareModel(deepseekV3);
let context = 1;

describe('estimateInference (prepared model)', () => {
  bench('Llama 3 8B, varying context', () => {
    context = (context % 131072) + 1;
    estimateInference({ model: llama, context, batch: 1 });
  });
  bench('DeepSeek-V3 (MLA, MoE), varying context', () => {
    context = (context % 131072) + 1;
    estimateInference({ model: deepseek, context, batch: 1 });
  });
  bench('kvCacheBytes alone, Llama 3 8B', () => {
    context = (context % 131072) + 1;
    kvCacheBytes(llama3_8b, { tokens: context, batch: 1 });
  });
});

describe('prepareModel (once per model)', () => {
  bench('DeepSeek-V3: synthesize 1,000+ tensors and count', () => {
    prepareModel(deepseekV3);
  });
});
