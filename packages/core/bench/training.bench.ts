import { bench, describe } from 'vitest';
import { prepareModel } from '../src/model/prepare-model.js';
import { llama31_8b, llama31_70b, mixtral8x7b } from '../src/training/__fixtures__/architectures.js';
import { estimateTraining } from '../src/training/estimate-training.js';
import { resolveAdapters } from '../src/training/lora.js';
import { maxMicroBatch, planTraining } from '../src/training/solvers.js';

const llama8b = prepareModel(llama31_8b);
const llama70b = prepareModel(llama31_70b);
const mixtral = prepareModel(mixtral8x7b);
const GIB = 2 ** 30;

describe('training estimates', () => {
  bench('estimateTraining: Llama-3.1-8B LoRA all-linear (prepared)', () => {
    estimateTraining({
      model: llama8b,
      method: 'lora',
      lora: { rank: 16, targets: 'all-linear' },
      seq: 4096,
      microBatch: 2,
      checkpointing: 'full',
    });
  });
  bench('estimateTraining: Llama-3.1-70B full, ZeRO-3 over 64', () => {
    estimateTraining({ model: llama70b, parallel: { gpus: 64, zero: 3 }, seq: 4096 });
  });
  bench('resolveAdapters: Mixtral-8x7B per-expert LoRA', () => {
    resolveAdapters(mixtral, { rank: 8, targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'w1', 'w2', 'w3'] });
  });
  bench('maxMicroBatch: Llama-3.1-8B LoRA on 80 GiB', () => {
    maxMicroBatch({ model: llama8b, method: 'lora', seq: 4096, checkpointing: 'full' }, 80 * GIB);
  });
  bench('planTraining: Llama-3.1-70B on 80 GiB', () => {
    planTraining({ model: llama70b, seq: 4096 }, 80 * GIB, { maxGpus: 64 });
  });
});
