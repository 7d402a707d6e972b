import type { Breakdown } from '../memory/breakdown.js';
import { prepared } from './devices.js';
import type { EngineMethods } from './engine-profiles.js';
import { bytesOf, DEFAULT_FIT_MARGIN_BYTES, type EngineRun, sequenceWorkload, withMargin } from './engine-run.js';
import { gpuCapacityBytes } from './gpus.js';
import { transformersScript } from './launch-lines.js';
import { resolveSpeculation } from './speculative.js';
import { transformersMemory } from './transformers.js';

const DEFAULT_CONTEXT = 4096;

/** transformers' engine methods: `generate()` on the GPUs' pooled memory (device_map="auto"). */
export const transformersMethods: EngineMethods = {
  run(o, context, batch): EngineRun {
    // Assisted generation is not modelled: resolveSpeculation refuses it with the engines that run a draft.
    if (o.speculative) resolveSpeculation('transformers', o.speculative, prepared(o.model));
    const r = transformersMemory({
      ...(o.transformers ?? {}),
      model: o.model,
      ...(o.format ? { format: o.format } : {}),
      gpus: o.gpus,
      context,
      batch,
    });
    const capacity = o.gpus.reduce((s, g) => s + gpuCapacityBytes(g), 0);
    const g = withMargin(
      {
        id: o.gpus.map((g) => g.id).join('+') || 'none',
        name: o.gpus.map((g) => g.name).join(' + ') || 'no GPU',
        capacityBytes: capacity,
        bytes: bytesOf(r.parts),
        fits: r.fits,
      },
      o.marginBytes ?? DEFAULT_FIT_MARGIN_BYTES,
    );
    return { gpus: [g], fits: g.fits, binding: g.fits ? 'none' : 'gpu-memory', raw: r, assumptions: r.assumptions };
  },

  workload(o) {
    return { context: o.context ?? DEFAULT_CONTEXT, batch: o.batch ?? 1 };
  },

  figures(o, run, context, batch, solve) {
    const g = run.gpus[0]!;
    const kv = g.bytes.kvCache;
    const kvBudgetBytes = Math.max(0, g.capacityBytes - (g.bytes.total - kv));
    const perToken = kv / (context * batch);
    return {
      engine: {
        name: 'transformers',
        kvBudgetBytes,
        kvTokens: perToken > 0 ? Math.floor(kvBudgetBytes / perToken) : 0,
        maxConcurrency: solve.maxBatch(o, context, 1024),
        maxContext: solve.maxContext(o, 1),
      },
      context,
      batch,
      breakdown: { total: g.bytes.total, parts: (run.raw as Breakdown).parts },
    };
  },

  speedDevice(o) {
    const first = o.gpus[0];
    return first ? { gpu: first, gpuWeightFraction: 1 } : undefined;
  },

  launch: { transformers: transformersScript },
  ...sequenceWorkload,
};
