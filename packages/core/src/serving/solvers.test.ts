import { engineProfile } from './engine-profiles.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { prepareModel } from '../model/prepare-model.js';
import { GIB } from '../memory/units.js';
import { plainFormats } from '../formats/weight-format.js';
import { llama2_7b, opt125m, pythia1_4b } from './__fixtures__/architectures.js';
import { ggufFileType } from './__fixtures__/gguf-formats.js';
import { customGpu, lookupGpu } from './gpus.js';
import { runEngine, type ServingOptions } from './serving.js';
import { solveFormats, solveGpuLayers, solveMaxBatch, solveMaxContext } from './solvers.js';

const models = [prepareModel(opt125m), prepareModel(pythia1_4b), prepareModel(llama2_7b)];

function question(engine: ServingOptions['engine'], m: number, gib: number): ServingOptions {
  const gpus = [customGpu(Math.round(gib * GIB), { bandwidthGBps: 1000 })];
  if (engine === 'llama.cpp')
    return { engine, model: models[m]!, format: ggufFileType('Q8_0'), gpus, llamaCpp: { flashAttn: 'on' } };
  if (engine === 'vllm')
    return {
      engine,
      model: models[m]!,
      format: plainFormats.f16,
      gpus,
      vllm: { maxNumBatchedTokens: 2048, maxNumSeqs: 64 },
    };
  return { engine, model: models[m]!, format: plainFormats.f16, gpus };
}

describe('solveMaxContext', () => {
  it('is consistent with the estimator: the answer fits, one token more does not (property, every engine)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('llama.cpp' as const, 'vllm' as const, 'transformers' as const),
        fc.integer({ min: 0, max: 2 }),
        fc.double({ min: 1, max: 40, noNaN: true }),
        fc.integer({ min: 1, max: 4 }),
        (engine, m, gib, batch) => {
          const q = question(engine, m, gib);
          const r = solveMaxContext(q, { batch });
          if (r.value >= 1) expect(runEngine(q, r.value, batch).fits).toBe(true);
          if (r.binding !== 'model-context') expect(runEngine(q, r.value + 1, batch).fits).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("stops at the model's 4,096 positions for Llama-2-7B Q8_0 on an 80 GB A100 (binding model-context)", () => {
    const r = solveMaxContext({
      engine: 'llama.cpp',
      model: models[2]!,
      format: ggufFileType('Q8_0'),
      gpus: [lookupGpu('a100-80gb')],
    });
    expect(r.value).toBe(4096);
    expect(r.binding).toBe('model-context');
  });

  it('names gpu-memory as the binding constraint of Llama-2-7B Q8_0 (6.67 GiB of weights) on a 6 GiB card', () => {
    const r = solveMaxContext({
      engine: 'llama.cpp',
      model: models[2]!,
      format: ggufFileType('Q8_0'),
      gpus: [customGpu(6 * GIB)],
    });
    expect(r.value).toBe(0);
    expect(r.binding).toBe('gpu-memory');
  });
});

describe('solveMaxBatch', () => {
  it('is consistent with the estimator: the batch fits, one more does not (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('llama.cpp' as const, 'vllm' as const, 'transformers' as const),
        fc.integer({ min: 0, max: 2 }),
        fc.double({ min: 2, max: 40, noNaN: true }),
        fc.integer({ min: 128, max: 2048 }),
        (engine, m, gib, context) => {
          const q = question(engine, m, gib);
          const r = solveMaxBatch(q, { context, maxBatch: 512 });
          const hi = Math.min(512, engineProfile(engine).maxSequences ?? 512);
          if (r.value >= 1) expect(runEngine(q, context, r.value).fits).toBe(true);
          if (r.value < hi) expect(runEngine(q, context, r.value + 1).fits).toBe(false);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('caps vLLM at --max-num-seqs 64 when memory allows more (opt-125m on an H100)', () => {
    const r = solveMaxBatch({
      engine: 'vllm',
      model: models[0]!,
      gpus: [lookupGpu('h100-80gb')],
      context: 2048,
      vllm: { maxNumSeqs: 64 },
    });
    expect(r.value).toBe(64);
    expect(r.binding).toBe('max-num-seqs');
  });
});

describe('solveFormats', () => {
  it('picks Q8_0 as the largest format of Llama-2-7B that fits a 12 GiB card at 4096 tokens, F16 does not', () => {
    const r = solveFormats({ engine: 'llama.cpp', model: models[2]!, gpus: [customGpu(12 * GIB)], context: 4096 }, [
      ggufFileType('F16'),
      ggufFileType('Q8_0'),
      ggufFileType('Q4_0'),
    ]);
    expect(r.candidates.map((c) => [c.format.id, c.fits])).toEqual([
      ['F16', false],
      ['Q8_0', true],
      ['Q4_0', true],
    ]);
    expect(r.best?.format.id).toBe('Q8_0');
    expect(r.smallest?.format.id).toBe('Q4_0');
  });
});

describe('solveGpuLayers', () => {
  it('offloads the most layers that fit, and one more layer does not fit (Llama-2-7B F16 on 8 GiB)', () => {
    const q: ServingOptions = {
      engine: 'llama.cpp',
      model: models[2]!,
      format: ggufFileType('F16'),
      gpus: [customGpu(8 * GIB)],
      context: 4096,
    };
    const r = solveGpuLayers(q);
    expect(r.value).toBeGreaterThan(0);
    expect(r.value).toBeLessThan(33);
    expect(runEngine({ ...q, llamaCpp: { nGpuLayers: r.value } }, 4096, 1).fits).toBe(true);
    expect(runEngine({ ...q, llamaCpp: { nGpuLayers: r.value + 1 } }, 4096, 1).fits).toBe(false);
  });
});
