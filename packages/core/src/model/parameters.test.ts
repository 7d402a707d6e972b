import { describe, expect, it } from 'vitest';
import { deepseekV3, gemma3_1b, llama3_8b, seed003 } from '../__fixtures__/architectures.js';
import { countParameters } from './parameters.js';
import { synthesizeTensors } from './synthesize-tensors.js';

describe('countParameters', () => {
  it('counts 7,721,988,096 parameters for the seed-003 model', () => {
    const p = countParameters(synthesizeTensors(seed003), seed003);
    expect(p.total).toBe(7_721_988_096);
    expect(p.parts.embedding + p.parts.lmHead).toBe(2 * 622_854_144);
  });

  it('counts 8,030,261,248 for Llama 3.1 8B', () => {
    expect(countParameters(synthesizeTensors(llama3_8b)).total).toBe(8_030_261_248);
  });

  it('counts tied embeddings once (Gemma 3 1B: 999,885,952)', () => {
    const p = countParameters(synthesizeTensors(gemma3_1b));
    expect(p.parts.lmHead).toBe(0);
    expect(p.total).toBe(999_885_952);
  });

  it('keeps DeepSeek-V3 MTP weights out of the runtime total but in the checkpoint total', () => {
    const p = countParameters(synthesizeTensors(deepseekV3), deepseekV3);
    expect(p.total).toBe(671_026_419_200);
    expect(p.checkpointTotal - p.total).toBe(p.parts.mtp);
    expect(p.parts.mtp).toBeGreaterThan(11.5e9);
    expect(p.active).toBeLessThan(p.total / 15);
  });

  it('sums per-layer counts to the total minus embeddings, final norm and head', () => {
    const p = countParameters(synthesizeTensors(llama3_8b), llama3_8b);
    const layers = p.perLayer.reduce((a, b) => a + b, 0);
    expect(layers).toBe(p.total - p.parts.embedding - p.parts.lmHead - p.parts.finalNorm);
  });
});
