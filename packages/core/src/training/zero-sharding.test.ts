import { fixtureModel } from '@vramkit/fixtures';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PreparedModel } from '../model/prepare-model.js';
import { estimateTraining, type TrainingEstimate, type TrainingOptions } from './estimate-training.js';

// Random valid architectures derived from the catalogue: a recorded config with its depth, width of the
// vocabulary and MLP changed (every variant goes through normalizeConfig, as a user's model does).
const BASES = [
  'HuggingFaceTB/SmolLM2-135M',
  'HuggingFaceTB/SmolLM2-360M',
  'Qwen/Qwen3-0.6B',
  'meta-llama/Llama-3.2-1B-Instruct',
  'google/gemma-2-2b',
  'Qwen/Qwen3-30B-A3B',
  'meta-llama/Meta-Llama-3.1-8B',
] as const;
const models = new Map<string, PreparedModel>();
function variant(id: string, layers: number, vocabScale: number): PreparedModel {
  const key = `${id}/${layers}/${vocabScale}`;
  let m = models.get(key);
  if (!m) {
    const base = fixtureModel(id).arch;
    m = fixtureModel(id, {
      num_hidden_layers: layers,
      vocab_size: Math.max(256, Math.round(base.vocabSize * vocabScale)),
    });
    models.set(key, m);
  }
  return m;
}
const arbModel = fc
  .record({
    id: fc.constantFrom(...BASES),
    layers: fc.integer({ min: 1, max: 8 }),
    vocabScale: fc.constantFrom(0.25, 0.5, 1),
  })
  .map(({ id, layers, vocabScale }) => variant(id, layers, vocabScale));
const arbWorkload = fc.record({
  method: fc.constantFrom('full', 'lora'),
  precision: fc.constantFrom('bf16-mixed', 'bf16', 'fp32', 'megatron-bf16'),
  optimizer: fc.constantFrom('adamw', 'adamw_8bit', 'sgd_momentum'),
  seq: fc.integer({ min: 1, max: 4096 }),
});

/** Weights, adapters, gradients and optimizer states per GPU (gradients kept, so every stage counts them). */
const modelStates = (e: TrainingEstimate) =>
  e.parts.weights.bytes +
  e.parts.adapters.bytes +
  e.parts.gradients.bytes +
  (e.parts.optimizer.parts?.states?.bytes ?? 0);
const withBuffers = (e: TrainingEstimate) => modelStates(e) + e.parts.communication.bytes;

describe('ZeRO sharding invariants over catalogue-derived architectures', () => {
  it('never holds more model states per GPU at ZeRO stage k+1 than at k (property)', () => {
    fc.assert(
      fc.property(arbModel, arbWorkload, fc.integer({ min: 1, max: 64 }), (model, w, gpus) => {
        const at = (zero: 0 | 1 | 2 | 3) =>
          modelStates(
            estimateTraining({ model, ...w, gradients: 'persistent', parallel: { gpus, zero } } as TrainingOptions),
          );
        for (const k of [0, 1, 2] as const) expect(at((k + 1) as 1 | 2 | 3)).toBeLessThanOrEqual(at(k));
      }),
      { numRuns: 60, seed: 15 },
    );
  });

  it('never holds more per GPU with more GPUs under ZeRO-3, nor with a larger TP degree (property)', () => {
    fc.assert(
      fc.property(
        arbModel,
        arbWorkload,
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 1, max: 32 }),
        (model, w, g, extra) => {
          const zero3 = (gpus: number) =>
            estimateTraining({ model, ...w, parallel: { gpus, zero: 3 } } as TrainingOptions);
          expect(modelStates(zero3(g + extra))).toBeLessThanOrEqual(modelStates(zero3(g)));
          expect(zero3(g + extra).total).toBeLessThanOrEqual(zero3(g).total);
          const heads = (model.arch.layers[0]!.attention as { numHeads: number }).numHeads;
          const kvHeads = (model.arch.layers[0]!.attention as { numKvHeads?: number }).numKvHeads ?? heads;
          const tps = [1, 2, 4, 8].filter((t) => heads % t === 0 && kvHeads % t === 0);
          const tp = (t: number) =>
            estimateTraining({ model, ...w, parallel: { gpus: t * g, tp: t, zero: 1 } } as TrainingOptions);
          for (let i = 1; i < tps.length; i++) expect(tp(tps[i]!).total).toBeLessThanOrEqual(tp(tps[i - 1]!).total);
        },
      ),
      { numRuns: 40, seed: 15 },
    );
  });

  it("says so whenever DeepSpeed's buckets make a higher stage hold more than a lower one (property)", () => {
    let noted = 0;
    fc.assert(
      fc.property(arbModel, arbWorkload, fc.integer({ min: 2, max: 16 }), (model, w, gpus) => {
        const at = (zero: 1 | 2 | 3) => estimateTraining({ model, ...w, parallel: { gpus, zero } } as TrainingOptions);
        for (const k of [2, 3] as const) {
          const e = at(k);
          const larger = [1, 2].some((j) => j < k && withBuffers(at(j as 1 | 2)) < withBuffers(e));
          const note = /DeepSpeed's default buckets \(reduce_bucket_size 5e\+8/.test(e.parts.communication.note);
          expect(note).toBe(larger);
          expect(e.assumptions.some((a) => a.includes('deepspeed/runtime/zero/config.py'))).toBe(larger);
          if (note) noted++;
        }
      }),
      { numRuns: 60, seed: 15 },
    );
    expect(noted).toBeGreaterThan(0);
  });

  it('notes that ZeRO-2 holds more than ZeRO-1 for SmolLM2-360M on 2 GPUs, naming the 5e8 buckets and their source', () => {
    const model = fixtureModel('HuggingFaceTB/SmolLM2-360M');
    const at = (zero: 1 | 2 | 3) => estimateTraining({ model, seq: 512, parallel: { gpus: 2, zero } });
    expect(at(2).total).toBeGreaterThan(at(1).total);
    expect(at(2).parts.communication.note).toMatch(
      /ZeRO-2 holds [\d,]+ B more per GPU than ZeRO-1 here: DeepSpeed's default buckets \(reduce_bucket_size 5e\+8, allgather_bucket_size 5e\+8, stage3_max_live_parameters 1e\+9, stage3_prefetch_bucket_size 5e\+7 elements; deepspeed\/runtime\/zero\/config\.py\)/,
    );
    expect(at(1).parts.communication.note).not.toMatch(/DeepSpeed's default buckets/);
    // Llama 3.1 8B on 8 GPUs: sharding saves far more than the buckets cost, so no note.
    const big = estimateTraining({
      model: fixtureModel('meta-llama/Meta-Llama-3.1-8B'),
      parallel: { gpus: 8, zero: 3 },
    });
    expect(big.parts.communication.note).not.toMatch(/DeepSpeed's default buckets/);
  });
});
