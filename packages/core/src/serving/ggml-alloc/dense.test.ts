import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIB } from '../../memory/units.js';
import { llamaCppRunLabel, llamaCppRunOptions } from '../__fixtures__/llama-cpp-compute-gaps.js';
import { fixtureModel, llamaCppFixtures } from '../__fixtures__/llama-cpp-fixtures.js';
import { llamaCppMemory } from '../llama-cpp.js';
import { DENSE_BUILDERS } from './dense.js';

/**
 * The dense families measured again by llama.cpp with two layers and a 16,384-token vocabulary
 * (validation/llama-cpp/small-vocab-dense.ts): with flash attention the peak then lies inside a layer
 * (FFN or attention tensors) instead of on the logits, so every tensor of the layer the builder gets
 * wrong — or a placement rule the planner breaks — moves the recorded buffer.
 */
const DIR = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/small-vocab-dense');
const fixtures = llamaCppFixtures(DIR);
// Tensors of a decoder layer as llama.cpp's cb names them (and the builders name them after it).
const LAYER_TENSOR = /^(ffn_|attn_|Qcur|Kcur|Vcur|kq|kqv|__fattn__|norm-|wqkv|l_out|sa_out|inpL|mul_mat)/;

it('covers every dense architecture with a builder', () => {
  const archs = new Set(fixtures.map((f) => f.ggufArchitecture));
  expect([...archs].sort()).toEqual(Object.keys(DENSE_BUILDERS).sort());
});

describe.each(fixtures)('$id, 2 layers, $architecture.vocabSize-token vocabulary', (f) => {
  const model = fixtureModel(f);
  for (const rec of f.runs) {
    if (rec.error) continue;
    it(`${llamaCppRunLabel(rec.run)}: the simulated compute buffer is llama.cpp's`, () => {
      const r = llamaCppMemory(llamaCppRunOptions(model, rec.run));
      const c = r.host.parts.activations!;
      expect(Math.abs(c.bytes / MIB - Number(rec.computeMib!.CPU))).toBeLessThanOrEqual(0.00005 + 1e-9);
      // With flash attention the largest live tensor at the peak belongs to a layer, not to the output head.
      if (r.flashAttn) {
        const [largest] = Object.entries(c.parts!)
          .filter(([k]) => k !== 'unusedBlocks')
          .sort(([, a], [, b]) => b.bytes - a.bytes)[0]!;
        expect(largest).toMatch(LAYER_TENSOR);
      }
    });
  }
});
