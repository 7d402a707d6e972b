import { engineProfile } from './engine-profiles.js';
import type { EngineBreakdown, EngineFigures, EngineRun } from './engine-run.js';
import { type Binding, type GpuBytes, resolvedWorkload, runEngine, type ServingOptions } from './serving.js';
import { solveGpuLayers, solveMaxBatch, solveMaxContext } from './solvers.js';
import type { SpeculativeFigures } from './speculative.js';
import { decodeThroughput, prefillThroughput, speculativeDecoding, type ThroughputEstimate } from './throughput.js';
import { requireExactTotal } from '../validate.js';

export type { EngineFigures } from './engine-run.js';

/** Result of {@link estimateServing}. */
export interface ServingEstimate {
  engine: EngineFigures;
  context: number;
  batch: number;
  /** Bytes of the most loaded GPU (bytes.weights is per GPU under TP/PP). */
  bytes: GpuBytes['bytes'];
  gpus: GpuBytes[];
  fits: boolean;
  binding: Binding;
  /** The engine's refusal to start, with its remedy (vLLM: KV smaller than one max_model_len request). */
  refusal?: string;
  /** The engine's own detailed breakdown (per device for llama.cpp); a draft model is its `draft` part. */
  breakdown: EngineBreakdown;
  /** Expected speed (a model, see {@link decodeThroughput}); absent when the GPU has no bandwidth figure or it does not fit. */
  throughput?: { decodeTokensPerSecond: number; prefillTokensPerSecond?: number; note: string };
  /** Speculative decoding: the draft's settings, bytes and the expected speed-up (a model). */
  speculative?: SpeculativeFigures;
  assumptions: string[];
}

const SOLVERS = {
  maxContext: (o: ServingOptions, batch: number) => solveMaxContext(o, { batch }).value,
  maxBatch: (o: ServingOptions, context: number, maxBatch: number) => solveMaxBatch(o, { context, maxBatch }).value,
  gpuLayers: (o: ServingOptions) => solveGpuLayers(o),
};

/**
 * The serving question with the settings the engine's planner picks where the question leaves them open
 * (llama.cpp: the most `-ngl` layers that fit); unchanged for engines without a planner.
 * @returns the planned question and a note per choice made
 */
export function planServing(o: ServingOptions): { options: ServingOptions; notes: string[] } {
  return engineProfile(o.engine).plan?.(o, SOLVERS) ?? { options: o, notes: [] };
}

/**
 * Memory of serving a model on an engine, in the CLI's JSON contract: per-GPU bytes, whether it fits
 * and what binds, and the engine figures (KV budget and tokens, max concurrency, max context).
 * @param o the serving question
 * @returns per-GPU bytes, engine figures, the engine's breakdown and the assumptions made
 * @throws InvalidInputError for bad flags (see {@link runEngine})
 */
export function estimateServing(o: ServingOptions): ServingEstimate {
  const { context, batch } = resolvedWorkload(o);
  const run = runEngine(o, context, batch);
  // Bounded inputs can still multiply past 2^53 (context × sequences × KV width): a typed error, not 1e21 bytes.
  for (const g of run.gpus)
    if (!Number.isSafeInteger(g.bytes.total)) requireExactTotal(g.bytes.total, 'context', { context, batch });
  const mostLoaded = run.gpus.reduce(
    (a, g) => (g.bytes.total / Math.max(1, g.capacityBytes) > a.bytes.total / Math.max(1, a.capacityBytes) ? g : a),
    run.gpus[0] ?? emptyGpu(),
  );
  const profile = engineProfile(o.engine);
  const report = profile.figures(o, run, context, batch, SOLVERS);
  const speed = run.fits ? throughputOf(o, run, context, batch) : undefined;
  const speculative = run.draft ? speculativeFigures(o, run, mostLoaded, speed?.decode, context, batch) : undefined;
  return {
    engine: report.engine,
    context: report.context,
    batch: report.batch,
    bytes: mostLoaded.bytes,
    gpus: run.gpus,
    fits: run.fits,
    binding: run.binding,
    ...(report.refusal ? { refusal: report.refusal } : {}),
    breakdown: report.breakdown,
    ...(speed ? { throughput: speed.figures } : {}),
    ...(speculative ? { speculative } : {}),
    assumptions: run.assumptions,
  };
}

/** Decode and prefill speed of a run that fits, on the GPU figures the engine's profile combines. */
function throughputOf(o: ServingOptions, run: EngineRun, context: number, batch: number) {
  const device = engineProfile(o.engine).speedDevice(o, run);
  if (!device || !(device.gpu.bandwidthGBps > 0)) return undefined;
  const { gpu, gpuWeightFraction } = device;
  const base = { model: o.model, ...(o.format ? { format: o.format } : {}), gpu, context, batch, gpuWeightFraction };
  const decode = decodeThroughput(base);
  // A causal prompt of `context` tokens attends to context / 2 keys on average.
  const prefill = gpu.tflops.fp16 > 0 ? prefillThroughput({ ...base, context: Math.floor(context / 2) }) : undefined;
  return {
    decode: { estimate: decode, gpu, gpuWeightFraction },
    figures: {
      decodeTokensPerSecond: decode.tokensPerSecond,
      ...(prefill ? { prefillTokensPerSecond: prefill.tokensPerSecond } : {}),
      note: decode.note,
    },
  };
}

/**
 * The draft's figures: its bytes on the most loaded GPU and, when the target's decode speed is known, the
 * expected speed-up from {@link speculativeDecoding} with the draft's own bandwidth-bound step on the same GPU.
 */
function speculativeFigures(
  o: ServingOptions,
  run: EngineRun,
  mostLoaded: GpuBytes,
  decode: { estimate: ThroughputEstimate; gpu: ServingOptions['gpus'][number]; gpuWeightFraction: number } | undefined,
  context: number,
  batch: number,
): SpeculativeFigures {
  const d = run.draft!;
  const r = d.resolved;
  const figures: SpeculativeFigures = {
    method: r.method,
    draftTokens: r.draftTokens,
    acceptanceRate: r.acceptanceRate,
    ...(d.gpuLayers !== undefined ? { gpuLayers: d.gpuLayers } : {}),
    ...(d.context !== undefined ? { context: d.context } : {}),
    drafting: r.drafting,
    bytes: mostLoaded.draftBytes ?? 0,
    ...(d.hostBytes !== undefined ? { hostBytes: d.hostBytes } : {}),
    note: `speed-up (a model): acceptance i.i.d. with α per token (Leviathan et al. 2023, arXiv:2211.17192, eq. 1), the engine's stopping rule (${engineProfile(o.engine).speculation.source}), bandwidth-bound draft and target steps, verification as one target step; not checked against a measured speed-up`,
  };
  if (!decode) return figures;
  // MTP layers run in the target's format and read its shared head again each draft step.
  const draftFormat = r.method === 'mtp' ? o.format : o.speculative?.draftFormat;
  const draftStep = decodeThroughput({
    model: r.draft,
    ...(draftFormat ? { format: draftFormat } : {}),
    gpu: decode.gpu,
    context,
    batch,
  });
  const s = speculativeDecoding({
    target: decode.estimate,
    draft: draftStep,
    draftTokens: r.draftTokens,
    acceptanceRate: r.acceptanceRate,
    drafting: r.drafting,
  });
  const rule = r.drafting;
  const stop =
    rule.pMin > 0 || rule.minTokens > 0 ? `, p_min ${rule.pMin}, n_min ${rule.minTokens}, β ${rule.passRate}` : '';
  return {
    ...figures,
    speedup: s.speedup,
    tokensPerStep: s.tokensPerStep,
    draftedTokens: s.draftedTokens,
    acceptedTokens: s.acceptedTokens,
    draftPasses: s.draftPasses,
    decodeTokensPerSecond: s.tokensPerSecond,
    note: `${figures.note}: γ ${r.draftTokens}${stop}, α ${r.acceptanceRate}: ${s.draftedTokens.toFixed(2)} drafted, ${s.acceptedTokens.toFixed(2)} accepted, ${s.tokensPerStep.toFixed(2)} tokens and ${s.draftPasses.toFixed(2)} draft passes per target step${rule.reevaluates ? ' (one re-decodes the verified batch)' : ''}, draft step ${(decode.estimate.tokensPerSecond / draftStep.tokensPerSecond).toFixed(3)} × the target's`,
  };
}

function emptyGpu(): GpuBytes {
  return {
    id: 'none',
    name: 'no GPU',
    capacityBytes: 0,
    bytes: { weights: 0, kvCache: 0, activations: 0, overhead: 0, total: 0 },
    fits: true,
  };
}
