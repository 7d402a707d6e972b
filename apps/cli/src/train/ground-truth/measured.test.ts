import { estimateTraining } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { cases, measuredBytes } from '../../../../../packages/core/src/training/__fixtures__/measured-cases.js';
import { QLORA_BASE_FORMAT } from '../qlora-format.js';
import { runTrainEstimate } from '../run-train-estimate.js';
import { catalogueModel } from './fixtures.js';

// The QLoRA runs of training_measured.json, with @vramkit/quant's NF4 base (core has no NF4 of its own).
describe('measured QLoRA peaks with the bitsandbytes NF4 base from @vramkit/quant', () => {
  it.each(cases.filter((c) => c.options.method === 'qlora'))(
    'lands within 15% of measured $id ($assume)',
    ({ id, compare, options }) => {
      const e = estimateTraining({ ...options, baseFormat: QLORA_BASE_FORMAT });
      const est = compare === 'allocated' ? e.peakAllocated : e.total;
      expect(Math.abs(est / measuredBytes(id) - 1)).toBeLessThan(0.15);
    },
  );
});

describe('--method qlora and --quant bnb-nf4-dq', () => {
  it('give identical bytes (one NF4 implementation)', async () => {
    const model = { model: catalogueModel('meta-llama__Meta-Llama-3.1-8B'), name: 'llama', argument: 'llama' };
    const run = async (quant: boolean) => {
      let out = '';
      const io = { out: (t: string) => (out += t), err: () => {}, env: {}, cwd: '.' };
      await runTrainEstimate(
        { positionals: [], values: { json: true, method: 'qlora' } },
        io,
        model,
        quant ? QLORA_BASE_FORMAT : undefined,
      );
      return JSON.parse(out) as { bytes: { weights: number; total: number } };
    };
    const a = await run(false);
    const b = await run(true);
    expect(a.bytes).toEqual(b.bytes);
    // 8,030,261,248 parameters: the NF4 base is ≈ 4.127 bits per quantized weight plus 16-bit embeddings and head.
    expect(a.bytes.weights).toBeGreaterThan(5e9);
    expect(a.bytes.weights).toBeLessThan(6e9);
  });
});
