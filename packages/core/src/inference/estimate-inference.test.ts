import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemma3_1b, llama3_8b, seed003 } from '../__fixtures__/architectures.js';
import { VramkitError } from '../errors/vramkit-error.js';
import * as v from 'valibot';
import {
  DEFAULT_CONTEXT_TOKENS,
  estimateInference,
  fastResolveWorkload,
  InferenceWorkloadSchema,
} from './estimate-inference.js';
import { prepareModel } from '../model/prepare-model.js';
import { GIB } from '../memory/units.js';
import { plainFormats } from '../formats/weight-format.js';

const prepared = prepareModel(llama3_8b);

describe('estimateInference', () => {
  it('returns a breakdown whose parts sum to the total, each with a note', () => {
    const e = estimateInference({ model: prepared, context: 8192, batch: 4, kvDtype: 'q8_0' });
    const sum = Object.values(e.parts).reduce((n, p) => n + p.bytes, 0);
    expect(e.total).toBe(sum);
    for (const p of Object.values(e.parts)) {
      expect(Number.isInteger(p.bytes)).toBe(true);
      expect(p.note.length).toBeGreaterThan(10);
    }
    expect(e.parts.weights!.bytes).toBe(8_030_261_248 * 2);
  });

  it('puts the seed-003 bf16 weights at 14.38 GiB', () => {
    const e = estimateInference({ model: seed003, context: 100, format: plainFormats.bf16 });
    expect((e.parts.weights!.bytes / GIB).toFixed(2)).toBe('14.38');
  });

  describe('the seed-003 model at 100 tokens (bf16, batch 1, last-token logits), part by part', () => {
    const e = estimateInference({ model: seed003, context: 100 });

    it('weights: 7,721,988,096 parameters × 2 bytes = 15,443,976,192 (exact)', () => {
      expect(e.parts.weights?.bytes).toBe(7_721_988_096 * 2);
    });

    it('KV cache: 100 tokens × K and V × 32 layers × 32 KV heads × 128 × 2 bytes = 52,428,800 (exact)', () => {
      expect(e.parts.kvCache?.bytes).toBe(100 * 2 * 32 * 32 * 128 * 2);
    });

    it('activations: residual 2 × 100 × 4096 × 2 plus the MLP phase gate, act, up 3 × 100 × 11008 × 2 (LlamaMLP), logits 152,064 × (2 + 4)', () => {
      const a = e.parts.activations;
      expect(a?.parts?.residual?.bytes).toBe(2 * 100 * 4096 * 2);
      expect(a?.parts?.mlp?.bytes).toBe(3 * 100 * 11008 * 2);
      expect(a?.parts?.logits?.bytes).toBe(152_064 * (2 + 4));
      expect(a?.bytes).toBe(2 * 100 * 4096 * 2 + 3 * 100 * 11008 * 2);
    });

    it('overhead: 512 MiB CUDA context + 5% of KV cache and activations', () => {
      expect(e.parts.overhead?.parts?.cudaContext?.bytes).toBe(512 * 2 ** 20);
      expect(e.parts.overhead?.parts?.allocator?.bytes).toBe(Math.ceil(0.05 * (52_428_800 + 8_243_200)));
    });

    it('weights + CUDA context match the 14.88 GiB seed 003 measured after loading within 0.1%, the total its 14.95 GiB within 0.5%', () => {
      const loaded = (e.parts.weights?.bytes ?? 0) + (e.parts.overhead?.parts?.cudaContext?.bytes ?? 0);
      expect(Math.abs(loaded / GIB / 14.88 - 1)).toBeLessThan(0.001);
      expect(Math.abs(e.total / GIB / 14.95 - 1)).toBeLessThan(0.005);
    });
  });

  it('states the default context instead of using the training maximum', () => {
    const e = estimateInference({ model: prepared });
    expect(e.workload.context).toBe(DEFAULT_CONTEXT_TOKENS);
    expect(e.assumptions.join(' ')).toMatch(/context defaulted to 4096/);
  });

  it('lets the overhead be overridden, and shows it as its own part', () => {
    const e = estimateInference({ model: prepared, overhead: { contextBytes: 0, allocatorFraction: 0 } });
    expect(e.parts.overhead!.bytes).toBe(0);
  });

  it('charges sliding-window layers only their window (Gemma 3 1B at 32k)', () => {
    const e = estimateInference({ model: gemma3_1b, context: 32768 });
    expect(e.parts.kvCache!.bytes).toBe((4 * 32768 + 22 * 512) * 1024);
  });

  it.each([
    ['context', { context: -1 }, 'workload.context'],
    ['context', { context: Number.NaN }, 'workload.context'],
    ['batch', { batch: 1.5 }, 'workload.batch'],
    ['batch', { batch: '4' }, 'workload.batch'],
    ['kvDtype', { kvDtype: 'q9_x' }, 'workload.kvDtype'],
    ['overhead', { overhead: { allocatorFraction: 2 } }, 'workload.overhead.allocatorFraction'],
  ])('rejects a bad %s with a typed error naming %s', (_f, bad, path) => {
    try {
      estimateInference({ model: prepared, ...(bad as object) });
      expect.unreachable();
    } catch (e) {
      expect(VramkitError.isInstance(e)).toBe(true);
      expect((e as VramkitError).code).toBe('INVALID_INPUT');
      expect((e as VramkitError).path).toBe(path);
    }
  });

  it('rejects a malformed architecture with the field path', () => {
    const broken = { ...llama3_8b, hiddenSize: -1 };
    expect(() => estimateInference({ model: broken })).toThrow(/architecture.hiddenSize/);
  });

  it('never needs less memory for more context, batch or a wider KV dtype (property)', () => {
    const dtypes = ['q4_0', 'q8_0', 'f16', 'f32'] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 2 }),
        fc.constantFrom<'flash' | 'naive'>('flash', 'naive'),
        (ctx, more, batch, d, attention) => {
          const a = estimateInference({ model: prepared, context: ctx, batch, kvDtype: dtypes[d], attention });
          const b = estimateInference({ model: prepared, context: ctx + more, batch, kvDtype: dtypes[d], attention });
          const c = estimateInference({
            model: prepared,
            context: ctx,
            batch: batch + 1,
            kvDtype: dtypes[d],
            attention,
          });
          const w = estimateInference({ model: prepared, context: ctx, batch, kvDtype: dtypes[d + 1], attention });
          return b.total >= a.total && c.total >= a.total && w.total >= a.total && Number.isInteger(a.total);
        },
      ),
    );
  });

  it('never lets a sliding-window model need more KV than the same model without windows (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (ctx) => {
        const w = estimateInference({ model: gemma3_1b, context: ctx }).parts.kvCache!.bytes;
        const full = estimateInference({ model: gemma3_1b, context: ctx, ignoreWindows: true }).parts.kvCache!.bytes;
        return w <= full;
      }),
    );
  });
});

describe('fastResolveWorkload', () => {
  it('accepts only what the valibot schema accepts, with the same defaults (property)', () => {
    const anyValue = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer({ min: -5, max: 100_000 }),
      fc.double(),
      fc.string(),
      fc.boolean(),
      fc.constantFrom('f16', 'q8_0', 'flash', 'naive', 'all', 'last', 'latent', 'bf16'),
    );
    const workload = fc.record(
      {
        context: anyValue,
        batch: anyValue,
        kvDtype: anyValue,
        kDtype: anyValue,
        attention: anyValue,
        logits: anyValue,
        prefillChunk: anyValue,
        forceMha: anyValue,
        mlaCache: anyValue,
        activationDtype: anyValue,
        overhead: fc.oneof(
          fc.constant(undefined),
          fc.record({ contextBytes: anyValue, allocatorFraction: anyValue }, { requiredKeys: [] }),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(workload, (w) => {
        const fast = fastResolveWorkload(w as never);
        const slow = v.safeParse(InferenceWorkloadSchema, w);
        if (fast === undefined) return true;
        return (
          slow.success &&
          JSON.stringify(fast, Object.keys(fast).sort()) === JSON.stringify(slow.output, Object.keys(fast).sort()) &&
          expect(fast).toEqual(slow.output) === undefined
        );
      }),
      { numRuns: 2000 },
    );
  });
});
