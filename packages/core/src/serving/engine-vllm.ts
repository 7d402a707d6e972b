import { InvalidInputError } from '../errors/invalid-input-error.js';
import { plainFormats } from '../formats/weight-format.js';
import { prepared } from './devices.js';
import type { EngineMethods } from './engine-profiles.js';
import { type Binding, type DraftRun, type EngineRun, gpuBytesOf, sequenceWorkload } from './engine-run.js';
import { type GpuSpec, gpuCapacityBytes } from './gpus.js';
import { vllmServeLine } from './launch-lines.js';
import { draftWeightBytes, resolveSpeculation } from './speculative.js';
import { type VllmEstimate, vllmMemory } from './vllm.js';

const DEFAULT_CONTEXT = 4096;

/** vLLM gives every rank the same share, so in a mixed set the smallest GPU bounds each rank. */
function smallest(gpus: readonly GpuSpec[]): GpuSpec | undefined {
  return gpus.reduce<GpuSpec | undefined>(
    (a, g) => (!a || gpuCapacityBytes(g) < gpuCapacityBytes(a) ? g : a),
    undefined,
  );
}

/** vLLM's engine methods: one rank's pool, requests of `context` against it, a drafter in the pool. */
export const vllmMethods: EngineMethods = {
  run(o, context, batch): EngineRun {
    const gpu = smallest(o.gpus);
    if (!gpu)
      throw new InvalidInputError([
        { path: 'gpus', message: 'vLLM needs a GPU: give one or a capacity', received: [] },
      ]);
    const flags = o.vllm ?? {};
    const block = flags.blockSize ?? 16;
    if (flags.maxModelLen !== undefined && flags.maxModelLen < block) {
      throw new InvalidInputError([
        {
          path: 'vllm.maxModelLen',
          message: `${flags.maxModelLen} is below one KV block of ${block} tokens; use at least ${block}`,
          received: flags.maxModelLen,
        },
      ]);
    }
    const tp = flags.tensorParallelSize ?? 1;
    const pp = flags.pipelineParallelSize ?? 1;
    const target = prepared(o.model);
    let draft: DraftRun | undefined;
    let draftOption: Parameters<typeof vllmMemory>[0]['draft'];
    if (o.speculative) {
      const resolved = resolveSpeculation('vllm', o.speculative, target);
      const format =
        resolved.method === 'mtp' ? (o.format ?? plainFormats.bf16) : (o.speculative.draftFormat ?? plainFormats.bf16);
      draftOption = {
        model: resolved.draft,
        weights: draftWeightBytes(resolved, target, format),
        note: `${resolved.method === 'draft' ? 'draft model' : resolved.method === 'mtp' ? 'MTP layers' : `${resolved.method} head`}: weights and its KV pages in the shared pool`,
      };
      draft = { resolved };
    }
    const r = vllmMemory({
      ...flags,
      model: target,
      ...(o.format ? { format: o.format } : {}),
      gpu,
      maxModelLen: flags.maxModelLen ?? context,
      concurrencyTokens: context,
      ...(draftOption ? { draft: draftOption } : {}),
    });
    const blocksPerRequest = Math.ceil(context / r.blockSize);
    const poolFits = r.numGpuBlocks >= batch * blocksPerRequest;
    const seqsOk = batch <= (flags.maxNumSeqs ?? r.defaults.maxNumSeqs);
    const one = {
      id: gpu.id,
      name: gpu.name,
      capacityBytes: r.capacityBytes,
      ...gpuBytesOf(r.parts),
      fits: r.fits && poolFits,
    };
    const fits = r.fits && poolFits && seqsOk && r.headroomOk;
    const binding: Binding =
      r.binding === 'budget'
        ? 'budget'
        : !r.headroomOk
          ? 'gpu-memory'
          : !r.fits || !poolFits
            ? 'kv-cache'
            : !seqsOk
              ? 'max-num-seqs'
              : 'none';
    const assumptions = [...r.assumptions, ...(draft?.resolved.notes ?? [])];
    if (new Set(o.gpus.map((g) => g.id)).size > 1)
      assumptions.push(`mixed GPUs: every vLLM rank is sized for the smallest (${gpu.name})`);
    if (o.gpus.length > 1 && o.gpus.length !== tp * pp)
      assumptions.push(
        `${o.gpus.length} GPUs given but tensor × pipeline parallel size = ${tp * pp}; vLLM uses ${tp * pp}`,
      );
    return {
      gpus: Array.from({ length: tp * pp }, () => ({ ...one })),
      fits,
      binding,
      raw: r,
      assumptions,
      ...(draft ? { draft } : {}),
    };
  },

  workload(o) {
    return { context: o.context ?? o.vllm?.maxModelLen ?? DEFAULT_CONTEXT, batch: o.batch ?? 1 };
  },

  figures(_o, run, context, batch) {
    const r = run.raw as VllmEstimate;
    return {
      engine: {
        name: 'vllm',
        kvBudgetBytes: r.kvBudgetBytes,
        kvTokens: r.kvTokens,
        maxConcurrency: r.maxConcurrency,
        maxContext: r.maxContext,
        concurrencyFactor: r.concurrencyFactor,
      },
      context,
      batch,
      breakdown: { total: r.total, parts: r.parts },
      ...(r.refusal ? { refusal: r.refusal } : {}),
    };
  },

  // Tensor parallelism reads each rank's share at once: bandwidth and TFLOPs × tp.
  speedDevice(o) {
    const first = o.gpus[0];
    if (!first) return undefined;
    const tp = o.vllm?.tensorParallelSize ?? 1;
    const gpu: GpuSpec = {
      ...first,
      bandwidthGBps: first.bandwidthGBps * tp,
      tflops: {
        ...first.tflops,
        fp16: first.tflops.fp16 * tp,
        ...(first.tflops.bf16 ? { bf16: first.tflops.bf16 * tp } : {}),
      },
    };
    return { gpu, gpuWeightFraction: 1 };
  },

  launch: { vllm: vllmServeLine },
  ...sequenceWorkload,
};
