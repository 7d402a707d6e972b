import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCatalogueArch } from './__fixtures__/catalogue-shapes.js';
import { customGpu, estimateInference, estimateServing, estimateTraining, GIB, VramkitError } from './index.js';

// Found by the docs URL-state fuzzer (issue #15): `?ctx=9007199254740993` reached core as 2^53 and came
// back as 1.18e21 bytes of KV cache; any context × batch product past 2^53 did the same. Every output
// is a finite, non-negative, exact integer of bytes, or a typed error naming the field.
const RUNS = Number(process.env.VRAMKIT_FUZZ_RUNS ?? 60);
const SEED = Number(process.env.VRAMKIT_FUZZ_SEED ?? 15);
const huge = fc.oneof(
  fc.constantFrom(2 ** 30, 2 ** 40, 2 ** 52, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 1, max: 2 ** 31 }),
);
const exactOrTyped = (f: () => { total: number }) => {
  try {
    const total = f().total;
    expect(Number.isSafeInteger(total) && total >= 0, String(total)).toBe(true);
  } catch (e) {
    if (!VramkitError.isInstance(e)) throw e;
    expect(e.code).toBe('INVALID_INPUT');
  }
};

describe('exact totals under huge workloads (issue #15)', () => {
  it('refuses context 2^53 and a context × batch beyond 2^53 bytes by name', () => {
    const arch = fc.sample(arbCatalogueArch(), { seed: 1, numRuns: 1 })[0]!.arch;
    expect(() => estimateInference({ model: arch, context: 2 ** 53 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'workload.context' }),
    );
    expect(() => estimateInference({ model: arch, context: 2 ** 40, batch: 2 ** 20 })).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        path: 'workload.context',
        message: expect.stringMatching(/2\^53/),
      }),
    );
    expect(() => estimateTraining({ model: arch, seq: 2 ** 45 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', path: 'training.seq' }),
    );
    expect(() =>
      estimateServing({ engine: 'transformers', model: arch, gpus: [customGpu(24 * GIB)], context: 2 ** 45 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('every inference, training and serving estimate is exact bytes or a typed error', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        arbCatalogueArch(),
        huge,
        huge,
        fc.constantFrom('flash' as const, 'naive' as const),
        ({ arch }, context, batch, attention) => {
          exactOrTyped(() => estimateInference({ model: arch, context, batch: Math.min(batch, 2 ** 20), attention }));
          exactOrTyped(() => estimateTraining({ model: arch, seq: context, microBatch: Math.min(batch, 2 ** 20) }));
          for (const engine of ['transformers', 'vllm'] as const)
            exactOrTyped(() => {
              const e = estimateServing({ engine, model: arch, gpus: [customGpu(80 * GIB)], context, batch });
              return { total: e.bytes.total };
            });
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
