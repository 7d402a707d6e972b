import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbCatalogueArch, catalogueSeeds } from './__fixtures__/catalogue-shapes.js';
import {
  customGpu,
  estimateServing,
  estimateTraining,
  GIB,
  isPreparedModel,
  MIB,
  maxMicroBatch,
  maxSequenceLength,
  minGpus,
  plainFormats,
  planTraining,
  prepareModel,
  type ServingEstimate,
  type ServingOptions,
  solveFormats,
  solveGpuLayers,
  solveMaxBatch,
  solveMaxContext,
  type TrainingEstimate,
  type TrainingOptions,
  VramkitError,
} from './index.js';
import { ggufFileType } from './serving/__fixtures__/gguf-formats.js';
import { DEFAULT_FIT_MARGIN_BYTES } from './serving/serving.js';

// The fit ⇔ estimate invariant (issue #15): for every solver `vramkit fit` and `vramkit plan` use, what
// the solver says fits, the estimate for exactly that setting puts within the budget (the stated
// margin included), and one step more (the next context, batch + 1, the next -ngl, one GPU unit fewer)
// does not. Random valid architectures derived from the catalogue; the budget check is recomputed
// from the estimate's bytes, not read from its `fits` flag alone. Fixed seed and run count in CI;
// VRAMKIT_FUZZ_RUNS / VRAMKIT_FUZZ_SEED for long runs.
const RUNS = Number(process.env.VRAMKIT_FUZZ_RUNS ?? 40);
const SEED = Number(process.env.VRAMKIT_FUZZ_SEED ?? 15);
const opts = { seed: SEED, numRuns: RUNS };
const timeout = Math.max(60_000, RUNS * 1_500);

const arbArch = arbCatalogueArch({
  maxPositions: fc.constantFrom(undefined, 2048, 8192, 32768, 131072),
});
const archOf = (q: ServingOptions) => (isPreparedModel(q.model) ? q.model.arch : q.model);
const engines = ['llama.cpp', 'vllm', 'transformers'] as const;

/** A serving question on one GPU of `gib` GiB, with an explicit or default margin. */
const arbQuestion = fc
  .record({
    model: arbArch,
    engine: fc.constantFrom(...engines),
    mib: fc.integer({ min: 256, max: 48 * 1024 }),
    margin: fc.constantFrom(undefined, 0, 256 * MIB, GIB),
    gguf: fc.constantFrom('F16' as const, 'Q8_0' as const, 'Q4_0' as const),
    util: fc.constantFrom(undefined, 0.5, 0.9, 0.95),
  })
  .map(({ model, engine, mib, margin, gguf, util }): ServingOptions => {
    const base = {
      engine,
      model: prepareModel(model.arch),
      gpus: [customGpu(mib * MIB, { bandwidthGBps: 1000 })],
      ...(margin !== undefined ? { marginBytes: margin } : {}),
    };
    if (engine === 'llama.cpp') return { ...base, format: ggufFileType(gguf) };
    if (engine === 'vllm')
      return {
        ...base,
        format: plainFormats.bf16,
        ...(util !== undefined ? { vllm: { gpuMemoryUtilization: util } } : {}),
      };
    return { ...base, format: plainFormats.bf16 };
  });

/**
 * Whether an estimate is within the budget, from its bytes: llama.cpp and transformers keep the margin
 * free on every GPU; vLLM's margin is 1 − gpu_memory_utilization, so its bytes stay within that share,
 * the KV pool holds the batch, and the engine does not refuse to start.
 */
function withinBudget(q: ServingOptions, e: ServingEstimate): boolean {
  if (q.engine === 'vllm') {
    // vllm/v1/worker/gpu_worker.py: the budget is capacity × utilization; CUDA graphs are captured after
    // the KV allocation, outside it, and must still fit the GPU.
    const util = q.vllm?.gpuMemoryUtilization ?? 0.9;
    const block = q.vllm?.blockSize ?? 16;
    const parts = (
      e.breakdown as { parts: Record<string, { bytes: number; parts?: Record<string, { bytes: number }> }> }
    ).parts;
    const graphs = parts.overhead?.parts?.cudaGraphs?.bytes ?? 0;
    return (
      e.refusal === undefined &&
      e.gpus.every(
        (g) => g.bytes.total - graphs <= Math.floor(g.capacityBytes * util) && g.bytes.total <= g.capacityBytes,
      ) &&
      e.engine.kvTokens >= e.batch * Math.ceil(e.context / block) * block &&
      e.fits
    );
  }
  const margin = q.marginBytes ?? DEFAULT_FIT_MARGIN_BYTES;
  return e.gpus.length > 0 && e.gpus.every((g) => g.bytes.total + margin <= g.capacityBytes) && e.fits;
}

/** The estimate `vramkit estimate` prints for a setting, or the engine's typed refusal. */
function estimateAt(q: ServingOptions, context: number, batch: number): ServingEstimate | VramkitError {
  try {
    return estimateServing({ ...q, context, batch });
  } catch (e) {
    if (VramkitError.isInstance(e)) return e;
    throw e;
  }
}
const fitsAt = (q: ServingOptions, context: number, batch: number) => {
  const e = estimateAt(q, context, batch);
  return !(e instanceof Error) && withinBudget(q, e);
};

/** Runs a solver; a typed refusal of the whole question (e.g. vLLM's minimum block) is an answer too. */
function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (VramkitError.isInstance(e)) return undefined;
    throw e;
  }
}

describe(`fit ⇔ estimate on ${catalogueSeeds.length} catalogue shapes (${RUNS} runs each, seed ${SEED})`, () => {
  it('max context at batch 1: the answer is within the budget, one token more is not', { timeout }, () => {
    fc.assert(
      fc.property(arbQuestion, fc.integer({ min: 1, max: 4 }), (q, batch) => {
        const r = attempt(() => solveMaxContext(q, { batch }));
        if (!r) return;
        if (r.value >= 1) expect(fitsAt(q, r.value, batch), `context ${r.value} fits`).toBe(true);
        else expect(fitsAt(q, 1, batch), 'nothing fits, not even one token').toBe(false);
        if (r.binding !== 'model-context') expect(fitsAt(q, r.value + 1, batch), `context ${r.value + 1}`).toBe(false);
        // The model's own limit, or the solver's search bound (2^20) when it states none.
        else expect(r.value).toBe(archOf(q).maxPositionEmbeddings ?? 2 ** 20);
      }),
      opts,
    );
  });

  it('max batch at a context (fit searches up to 256): the answer fits, one sequence more does not', {
    timeout,
  }, () => {
    fc.assert(
      fc.property(arbQuestion, fc.constantFrom(512, 4096, 8192, 32768), (q, context) => {
        const limit = archOf(q).maxPositionEmbeddings;
        if (limit !== undefined && context > limit) return;
        const r = attempt(() => solveMaxBatch(q, { context, maxBatch: 256 }));
        if (!r) return;
        if (r.value >= 1) expect(fitsAt(q, context, r.value), `batch ${r.value} fits`).toBe(true);
        else expect(fitsAt(q, context, 1), 'nothing fits, not even one sequence').toBe(false);
        if (r.value < 256 && r.binding !== 'max-num-seqs')
          expect(fitsAt(q, context, r.value + 1), `batch ${r.value + 1}`).toBe(false);
      }),
      opts,
    );
  });

  it('llama.cpp -ngl: the most layers that fit are within the budget, one layer more is not', { timeout }, () => {
    fc.assert(
      fc.property(
        arbQuestion.filter((q) => q.engine === 'llama.cpp'),
        fc.constantFrom(512, 4096, 8192),
        (q, context) => {
          const r = solveGpuLayers({ ...q, context });
          const at = (ngl: number) => {
            const e = estimateServing({ ...q, context, batch: 1, llamaCpp: { ...q.llamaCpp, nGpuLayers: ngl } });
            return withinBudget(q, e);
          };
          const total = archOf(q).layers.length + 1;
          if (r.value >= 1 || at(0)) expect(at(r.value), `-ngl ${r.value}`).toBe(true);
          if (r.value < total) expect(at(r.value + 1), `-ngl ${r.value + 1}`).toBe(false);
        },
      ),
      opts,
    );
  });

  it('formats: every candidate said to fit is within the budget, every larger one than the best is not', {
    timeout,
  }, () => {
    fc.assert(
      fc.property(
        arbQuestion.filter((q) => q.engine !== 'vllm'),
        fc.constantFrom(512, 4096),
        (q, context) => {
          const formats =
            q.engine === 'llama.cpp'
              ? (['F16', 'Q8_0', 'Q4_0'] as const).map(ggufFileType)
              : [plainFormats.f32, plainFormats.bf16];
          const { candidates, best } = solveFormats({ ...q, context, batch: 1 }, formats);
          for (const c of candidates) expect(fitsAt({ ...q, format: c.format }, context, 1), c.format.id).toBe(c.fits);
          if (best)
            for (const c of candidates.filter((c) => c.weightBytes > best.weightBytes))
              expect(
                fitsAt({ ...q, format: c.format }, context, 1),
                `${c.format.id} larger than ${best.format.id}`,
              ).toBe(false);
        },
      ),
      opts,
    );
  });
});

/** A training question on catalogue shapes: method, sequence, checkpointing, ZeRO stage, GPUs. */
const arbTraining = fc
  .record({
    model: arbArch,
    method: fc.constantFrom('full' as const, 'lora' as const),
    seq: fc.constantFrom(256, 1024, 4096),
    checkpointing: fc.constantFrom(undefined, 'full' as const),
    zero: fc.constantFrom(0 as const, 2 as const, 3 as const),
    gpus: fc.constantFrom(1, 2, 8),
  })
  .map(
    ({ model, method, seq, checkpointing, zero, gpus }): TrainingOptions => ({
      model: prepareModel(model.arch),
      method,
      seq,
      ...(method === 'lora' ? { lora: { rank: 16, targets: 'all-linear' as const } } : {}),
      ...(checkpointing ? { checkpointing } : {}),
      parallel: { zero, gpus },
    }),
  );
const arbCapacity = fc.integer({ min: 64, max: 80 * 1024 }).map((mib) => mib * MIB);
const arbMargin = fc.constantFrom('expected' as const, 'high' as const);
const totalOf = (e: TrainingEstimate, margin: 'expected' | 'high') =>
  margin === 'high' ? e.overheadBand.high : e.total;

describe(`training fit ⇔ estimate on ${catalogueSeeds.length} catalogue shapes (${RUNS} runs each, seed ${SEED})`, () => {
  for (const [name, key, solver] of [
    ['micro-batch', 'microBatch', maxMicroBatch],
    ['sequence length', 'seq', maxSequenceLength],
  ] as const) {
    it(`max ${name}: the answer is within the GPU (expected or high band), one more is not`, { timeout }, () => {
      fc.assert(
        fc.property(arbTraining, arbCapacity, arbMargin, (o, cap, margin) => {
          const max = key === 'seq' ? 1 << 16 : 512;
          const r = solver(o, cap, margin, max);
          const total = (n: number) => totalOf(estimateTraining({ ...o, [key]: n }), margin);
          if (r.value >= 1) expect(total(r.value), `${key} ${r.value}`).toBeLessThanOrEqual(cap);
          else expect(total(1), 'nothing fits at 1').toBeGreaterThan(cap);
          if (r.value < max) expect(total(r.value + 1), `${key} ${r.value + 1}`).toBeGreaterThan(cap);
        }),
        opts,
      );
    });
  }

  it('min GPUs: the answer is within the GPU, one tensor/pipeline unit fewer is not', { timeout }, () => {
    fc.assert(
      fc.property(arbTraining, arbCapacity, arbMargin, (o, cap, margin) => {
        const p = { ...o.parallel, zero: 3 as const };
        const q = { ...o, parallel: p };
        const r = minGpus(q, cap, margin, 64);
        const total = (gpus: number) => totalOf(estimateTraining({ ...q, parallel: { ...p, gpus } }), margin);
        if (r.value >= 1) {
          expect(total(r.value), `${r.value} GPUs`).toBeLessThanOrEqual(cap);
          if (r.value > 1) expect(total(r.value - 1), `${r.value - 1} GPUs`).toBeGreaterThan(cap);
        } else expect(total(64), '64 GPUs').toBeGreaterThan(cap);
      }),
      opts,
    );
  });

  it('plan: every setup it lists is within the GPU at its GPU count', { timeout }, () => {
    fc.assert(
      fc.property(arbTraining, arbCapacity, arbMargin, (o, cap, margin) => {
        let plan: ReturnType<typeof planTraining>;
        try {
          plan = planTraining(o, cap, { margin, maxGpus: 16 });
        } catch (e) {
          if (VramkitError.isInstance(e) && e.code === 'DOES_NOT_FIT') return;
          throw e;
        }
        for (const s of plan) expect(totalOf(estimateTraining(s.options), margin), s.label).toBeLessThanOrEqual(cap);
      }),
      opts,
    );
  });
});
