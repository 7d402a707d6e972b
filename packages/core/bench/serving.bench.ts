import { bench, describe } from 'vitest';
import { prepareModel } from '../src/model/prepare-model.js';
import { llama2_70b, llama2_7b } from '../src/serving/__fixtures__/architectures.js';
import { ggufFileType } from '../src/serving/__fixtures__/gguf-formats.js';
import { lookupGpu } from '../src/serving/gpus.js';
import { llamaCppMemory } from '../src/serving/llama-cpp.js';
import { solveGpuLayers, solveMaxContext } from '../src/serving/solvers.js';
import { vllmMemory } from '../src/serving/vllm.js';

// Engine runs per second and solver calls per second; a solver is ~20–25 engine runs (bisection).
const llama7 = prepareModel(llama2_7b);
const llama70 = prepareModel(llama2_70b);
const q4 = ggufFileType('Q4_0');
const rtx3060 = lookupGpu('rtx-3060-12gb');
const h100 = lookupGpu('h100-80gb');
let ctx = 1;

describe('engine memory models', () => {
  bench('llamaCppMemory: Llama-2-7B Q4_0, varying -c', () => {
    ctx = (ctx % 32768) + 1;
    llamaCppMemory({ model: llama7, format: q4, gpus: [rtx3060], ctxSize: ctx });
  });
  bench('vllmMemory: Llama-2-70B TP 2, varying --max-model-len', () => {
    ctx = (ctx % 4096) + 1;
    vllmMemory({ model: llama70, gpu: h100, tensorParallelSize: 2, maxModelLen: ctx });
  });
});

describe('solvers', () => {
  bench('solveMaxContext: llama.cpp Llama-2-7B Q4_0 on RTX 3060', () => {
    solveMaxContext({ engine: 'llama.cpp', model: llama7, format: q4, gpus: [rtx3060] });
  });
  bench('solveGpuLayers: llama.cpp Llama-2-70B Q4_0 on RTX 3060', () => {
    solveGpuLayers({ engine: 'llama.cpp', model: llama70, format: q4, gpus: [rtx3060], context: 4096 });
  });
});
