import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCatalogueArch, catalogueSeeds } from './__fixtures__/catalogue-shapes.js';
import type { Architecture } from './model/architecture.js';
import { VramkitError } from './errors/vramkit-error.js';
import { estimateInference } from './inference/estimate-inference.js';
import { estimateTraining } from './training/estimate-training.js';

// Invariants over random valid architectures derived from the catalogue (issue #15; see
// __fixtures__/catalogue-shapes.ts).
// Fixed seed and run count in CI; VRAMKIT_FUZZ_RUNS / VRAMKIT_FUZZ_SEED for long runs.
const RUNS = Number(process.env.VRAMKIT_FUZZ_RUNS ?? 60);
const SEED = Number(process.env.VRAMKIT_FUZZ_SEED ?? 15);

const seeds = catalogueSeeds;
/** A catalogue shape scaled down by powers of two (proportions kept), with a random layer count. */
const arbArch = arbCatalogueArch();

const isBytes = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
function checkBreakdown(b: { total: number; parts: Record<string, { bytes: number }> }): void {
  let sum = 0;
  for (const [name, p] of Object.entries(b.parts)) {
    expect(isBytes(p.bytes), name).toBe(true);
    sum += p.bytes;
  }
  expect(isBytes(b.total)).toBe(true);
  expect(sum).toBe(b.total);
}
const withLayers = (a: Architecture, n: number): Architecture => ({
  ...a,
  layers: Array.from({ length: n }, (_, i) => a.layers[i % a.layers.length]!),
});
const states = (e: ReturnType<typeof estimateTraining>) =>
  e.parts.weights.bytes + e.parts.adapters.bytes + e.parts.gradients.bytes + e.parts.optimizer.bytes;
const opts = { seed: SEED, numRuns: RUNS };

describe(`inference invariants on ${seeds.length} catalogue shapes (${RUNS} runs each, seed ${SEED})`, () => {
  it('more context, batch or layers never needs less memory; parts sum to the total in integer bytes', {
    timeout: Math.max(30_000, RUNS * 200),
  }, () => {
    fc.assert(
      fc.property(
        arbArch,
        fc.integer({ min: 1, max: 8192 }),
        fc.integer({ min: 1, max: 4096 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        ({ arch }, context, dc, batch, dl) => {
          const base = estimateInference({ model: arch, context, batch });
          checkBreakdown(base);
          expect(estimateInference({ model: arch, context: context + dc, batch }).total).toBeGreaterThanOrEqual(
            base.total,
          );
          expect(estimateInference({ model: arch, context, batch: batch + 1 }).total).toBeGreaterThanOrEqual(
            base.total,
          );
          const deeper = estimateInference({ model: withLayers(arch, arch.layers.length + dl), context, batch });
          checkBreakdown(deeper);
          expect(deeper.total).toBeGreaterThanOrEqual(base.total);
        },
      ),
      opts,
    );
  });

  it('more KV-cache bits never need less memory (q4_0 ≤ q8_0 ≤ f16 ≤ f32)', {
    timeout: Math.max(30_000, RUNS * 200),
  }, () => {
    fc.assert(
      fc.property(arbArch, fc.integer({ min: 1, max: 8192 }), ({ arch }, context) => {
        const kv = (['q4_0', 'q8_0', 'f16', 'f32'] as const).map(
          (kvDtype) => estimateInference({ model: arch, context, kvDtype }).parts.kvCache!.bytes,
        );
        for (let i = 1; i < kv.length; i++) expect(kv[i]!).toBeGreaterThanOrEqual(kv[i - 1]!);
      }),
      opts,
    );
  });
});

describe(`training invariants on ${seeds.length} catalogue shapes (${RUNS} runs each, seed ${SEED})`, () => {
  it('ZeRO stage k+1 never holds more model states per GPU than stage k; parts sum to the total', {
    timeout: Math.max(30_000, RUNS * 200),
  }, () => {
    fc.assert(
      fc.property(
        arbArch,
        fc.constantFrom(2, 4, 8, 16),
        fc.constantFrom('full' as const, 'lora' as const),
        ({ arch }, gpus, method) => {
          const per = ([0, 1, 2, 3] as const).map((zero) => {
            const e = estimateTraining({ model: arch, method, seq: 512, parallel: { zero, gpus } });
            checkBreakdown(e);
            return states(e);
          });
          for (let k = 1; k < per.length; k++) expect(per[k]!).toBeLessThanOrEqual(per[k - 1]!);
        },
      ),
      opts,
    );
  });

  it('more GPUs under ZeRO-3 never hold more model states per GPU', { timeout: Math.max(30_000, RUNS * 200) }, () => {
    fc.assert(
      fc.property(arbArch, ({ arch }) => {
        const per = [1, 2, 4, 8, 16].map((gpus) =>
          states(estimateTraining({ model: arch, seq: 512, parallel: { zero: 3, gpus } })),
        );
        for (let i = 1; i < per.length; i++) expect(per[i]!).toBeLessThanOrEqual(per[i - 1]!);
      }),
      opts,
    );
  });

  it('more tensor-parallel GPUs never hold more weights per GPU (where the heads divide)', {
    timeout: Math.max(30_000, RUNS * 200),
  }, () => {
    fc.assert(
      fc.property(arbArch, ({ arch }) => {
        const weights: number[] = [];
        for (const tp of [1, 2, 4, 8]) {
          try {
            weights.push(estimateTraining({ model: arch, seq: 512, parallel: { tp, gpus: tp } }).parts.weights.bytes);
          } catch (e) {
            // A TP degree the heads do not divide is refused (a typed error), which ends the sequence.
            if (!VramkitError.isInstance(e)) throw e;
            break;
          }
        }
        for (let i = 1; i < weights.length; i++) expect(weights[i]!).toBeLessThanOrEqual(weights[i - 1]!);
      }),
      opts,
    );
  });

  it('more sequence length, micro-batch or layers never needs less memory', {
    timeout: Math.max(30_000, RUNS * 200),
  }, () => {
    fc.assert(
      fc.property(
        arbArch,
        fc.integer({ min: 16, max: 2048 }),
        fc.integer({ min: 1, max: 4 }),
        ({ arch }, seq, microBatch) => {
          const base = estimateTraining({ model: arch, seq, microBatch }).total;
          expect(estimateTraining({ model: arch, seq: seq + 16, microBatch }).total).toBeGreaterThanOrEqual(base);
          expect(estimateTraining({ model: arch, seq, microBatch: microBatch + 1 }).total).toBeGreaterThanOrEqual(base);
          expect(
            estimateTraining({ model: withLayers(arch, arch.layers.length + 1), seq, microBatch }).total,
          ).toBeGreaterThanOrEqual(base);
        },
      ),
      opts,
    );
  });
});
