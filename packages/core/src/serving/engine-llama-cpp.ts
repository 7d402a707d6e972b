import { type Breakdown, type BreakdownPart, part } from '../memory/breakdown.js';
import { formatCount } from '../memory/units.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { prepared } from './devices.js';
import {
  DEFAULT_FIT_MARGIN_BYTES,
  type DraftRun,
  type EngineFigures,
  type EngineRun,
  gpuBytesOf,
  unspecifiedGpu,
  withMargin,
} from './engine-run.js';
import type { EngineMethods } from './engine-profiles.js';
import { llamaServerLine, ollamaModelfile } from './launch-lines.js';
import { DEFAULT_CTX_SIZE, LLAMA_SERVER_DEFAULTS, type LlamaCppEstimate, llamaCppMemory } from './llama-cpp.js';
import type { ServingOptions } from './serving.js';
import { resolveSpeculation } from './speculative.js';

/**
 * A llama-server draft model (common/speculative.cpp common_speculative_init_result, from
 * common_base_params_to_speculative): its weights, and one draft context with the target's settings — n_ctx =
 * llama_n_ctx(ctx_tgt), the same `-np` sequences (draft_simple requires n_seq_max to match), `--kv-unified`,
 * flash attention and batch sizes — with its own KV cache (`-ctkd`/`-ctvd`), compute buffer and n_parallel
 * output rows; `-ngld` layers on the GPUs.
 */
function draftMemory(o: ServingOptions, target: LlamaCppEstimate, gpus: ServingOptions['gpus']) {
  const s = o.speculative!;
  const resolved = resolveSpeculation('llama.cpp', s, prepared(o.model));
  const format = s.draftFormat;
  if (!format)
    throw new InvalidInputError([
      {
        path: 'speculative.draftFormat',
        message: 'llama.cpp runs GGUF draft models: give the draft file type (e.g. Q4_K_M) or a GGUF file',
        received: undefined,
      },
    ]);
  const flags = o.llamaCpp ?? {};
  const r = llamaCppMemory({
    model: resolved.draft,
    format,
    gpus,
    ctxSize: target.nCtx,
    parallel: target.parallel,
    ...(flags.kvUnified !== undefined ? { kvUnified: flags.kvUnified } : {}),
    ...(s.gpuLayers !== undefined ? { nGpuLayers: s.gpuLayers } : {}),
    ...(s.cacheTypeK !== undefined ? { cacheTypeK: s.cacheTypeK } : {}),
    ...(s.cacheTypeV !== undefined ? { cacheTypeV: s.cacheTypeV } : {}),
    ...(flags.flashAttn !== undefined ? { flashAttn: flags.flashAttn } : {}),
    ...(flags.batchSize !== undefined ? { batchSize: flags.batchSize } : {}),
    ...(flags.ubatchSize !== undefined ? { ubatchSize: flags.ubatchSize } : {}),
    ...(flags.tensorSplit !== undefined ? { tensorSplit: flags.tensorSplit } : {}),
    // The draft shares the target's CUDA context.
    contextBytesPerGpu: 0,
  });
  const draftPart = (b: Breakdown, note: string): BreakdownPart => {
    const p = b.parts;
    const parts: Record<string, BreakdownPart> = {
      weights: p.weights ?? part(0, 'none', { accuracy: 'exact' }),
      kvCache: p.kvCache ?? part(0, 'none', { accuracy: 'exact' }),
      compute: p.activations ?? part(0, 'none', { accuracy: 'exact' }),
      ...(p.output ? { output: p.output } : {}),
    };
    const total = Object.values(parts).reduce((a, x) => a + x.bytes, 0);
    return part(total, note, { accuracy: 'model', parts });
  };
  const cells = `${r.nCtx} cells${r.parallel > 1 ? ` for ${r.parallel} sequences` : ''}`;
  return {
    resolved,
    raw: r,
    context: r.nCtx,
    devices: r.devices.map((d) => draftPart(d, `draft model: ${d.layers} layers, one context of ${cells}`)),
    host: draftPart(r.host, 'draft model in host RAM'),
  };
}

/** llama.cpp's engine methods: `-c` cells split by `-np`, a no-GPU answer, and a draft model's buffers. */
export const llamaCppMethods: EngineMethods = {
  run(o, context, batch): EngineRun {
    const flags = o.llamaCpp ?? {};
    const parallel = flags.parallel ?? batch;
    // Without a GPU (and -ngl not 0), report what one device needs with every layer on it; -ngl 0 is CPU only.
    const noGpu = o.gpus.length === 0 && flags.nGpuLayers !== 0;
    const gpus = noGpu ? [unspecifiedGpu()] : o.gpus;
    // With a draft, each sequence verifies up to n_max drafted tokens and its own in one batch.
    const n = o.speculative
      ? 1 + resolveSpeculation('llama.cpp', o.speculative, prepared(o.model)).draftTokens
      : undefined;
    const r = llamaCppMemory({
      ...flags,
      model: o.model,
      format: o.format!,
      gpus,
      parallel,
      ctxSize: flags.ctxSize ?? context * parallel,
      ...(n !== undefined ? { outputsPerSequence: n } : {}),
    });
    const d = o.speculative ? draftMemory(o, r, gpus) : undefined;
    const margin = o.marginBytes ?? DEFAULT_FIT_MARGIN_BYTES;
    const out = r.devices.map((dev, i) => {
      const parts = d ? { ...dev.parts, draft: d.devices[i]! } : dev.parts;
      const bytes = gpuBytesOf(parts);
      return withMargin(
        {
          id: dev.gpu.id,
          name: dev.gpu.name,
          capacityBytes: noGpu ? 0 : dev.capacityBytes,
          ...bytes,
          fits: bytes.bytes.total <= dev.capacityBytes,
        },
        margin,
      );
    });
    if (d) {
      r.host.parts.draft = d.host;
      r.host.total += d.host.bytes;
      r.devices.forEach((dev, i) => {
        dev.parts.draft = d.devices[i]!;
        dev.total += d.devices[i]!.bytes;
      });
    }
    const shortContext = r.contextPerSequence < context;
    const assumptions = [...r.assumptions];
    // The estimate passes -c and -np explicitly; where it fell back on its own defaults (not a solver's
    // trial values), say what llama-server would pick without them.
    const defaulted = [
      ...(o.context === undefined && flags.ctxSize === undefined && context === DEFAULT_CTX_SIZE
        ? [`context defaulted to ${formatCount(DEFAULT_CTX_SIZE)} tokens per sequence`]
        : []),
      ...(o.batch === undefined && flags.parallel === undefined && parallel === 1 ? ['1 sequence assumed'] : []),
    ];
    if (defaulted.length > 0) assumptions.push(`${defaulted.join(', ')}: ${LLAMA_SERVER_DEFAULTS}`);
    let draft: DraftRun | undefined;
    if (d) {
      assumptions.push(
        ...d.resolved.notes,
        `draft model: -ngld ${d.raw.gpuLayers}, one draft context of the target's ${formatCount(d.context)} cells and ${r.parallel} sequence${r.parallel > 1 ? 's' : ''} (common/speculative.cpp)`,
        `output buffer: -np × (1 + ${d.resolved.draftTokens} drafted) rows capped at -b, which llama-server verifies at once (tools/server/server-context.cpp server_output_limits)`,
      );
      draft = { resolved: d.resolved, gpuLayers: d.raw.gpuLayers, context: d.context, hostBytes: d.host.bytes };
    }
    const base = { gpus: out, raw: r, assumptions, ...(draft ? { draft } : {}) };
    if (noGpu) {
      assumptions.push('no GPU given: every layer on one GPU; the GPU row is what that GPU needs');
      return { ...base, fits: false, binding: 'no-gpu' };
    }
    const fits = out.every((g) => g.fits) && !shortContext;
    return { ...base, fits, binding: !out.every((g) => g.fits) ? 'gpu-memory' : shortContext ? 'kv-cache' : 'none' };
  },

  // -ngl left open: the most layers that fit, as llama.cpp's --fit does (common/arg.cpp).
  plan(o, solve) {
    if (o.llamaCpp?.nGpuLayers !== undefined || o.gpus.length === 0) return { options: o, notes: [] };
    const best = solve.gpuLayers(o);
    return {
      options: { ...o, llamaCpp: { ...o.llamaCpp, nGpuLayers: best.value } },
      notes: [
        `-ngl ${best.value}: the most layers that fit${best.binding !== 'none' ? ` (one more is limited by ${best.binding})` : ''}`,
      ],
    };
  },

  workload(o) {
    const l = o.llamaCpp;
    // llama.cpp: -np sequences share -c cells (each gets n_ctx / n_seq_max unless --kv-unified).
    const batch = o.batch ?? l?.parallel ?? 1;
    const context =
      o.context ??
      (l?.ctxSize ? (l.kvUnified ? l.ctxSize : Math.max(1, Math.floor(l.ctxSize / batch))) : DEFAULT_CTX_SIZE);
    return { context, batch };
  },

  figures(o, run, _context, _batch, solve) {
    const r = run.raw as LlamaCppEstimate;
    // Per GPU: capacity minus everything but the KV cache, over the KV bytes per cell of its layers.
    let kvBudgetBytes = Number.POSITIVE_INFINITY;
    let kvTokens = Number.POSITIVE_INFINITY;
    const noGpu = run.binding === 'no-gpu';
    if (!noGpu) {
      for (const d of r.devices) {
        if (d.layers === 0) continue;
        const kv = d.parts.kvCache!.bytes;
        const budget = Math.max(0, d.capacityBytes - (d.total - kv));
        const perCell = kv / (r.kvCells * r.kvStreams);
        if (budget < kvBudgetBytes) kvBudgetBytes = budget;
        if (perCell > 0) kvTokens = Math.min(kvTokens, Math.floor(budget / perCell));
      }
    }
    const engine: EngineFigures = {
      name: 'llama.cpp',
      kvBudgetBytes: Number.isFinite(kvBudgetBytes) ? kvBudgetBytes : 0,
      kvTokens: Number.isFinite(kvTokens) ? kvTokens : 0,
      // llama-server runs -np slots at once: that is its concurrency, whatever memory would allow.
      maxConcurrency: r.parallel,
      maxContext: noGpu ? r.contextPerSequence : solve.maxContext(o, 1),
      gpuLayers: r.gpuLayers,
      hostBytes: r.host.total,
    };
    return {
      engine,
      context: r.contextPerSequence,
      batch: r.parallel,
      breakdown: { devices: r.devices.map((d) => ({ total: d.total, parts: d.parts })), host: r.host },
    };
  },

  // Layers on several GPUs run one after the other: the slowest GPU's bandwidth, the CPU share from host RAM.
  speedDevice(o, run) {
    const first = o.gpus[0];
    if (!first) return undefined;
    const gpu = o.gpus.reduce((a, g) => (g.bandwidthGBps < a.bandwidthGBps ? g : a), first);
    return { gpu, gpuWeightFraction: (run.raw as LlamaCppEstimate).gpuWeightFraction };
  },

  launch: { 'llama-server': llamaServerLine, ollama: ollamaModelfile },

  // llama-server's -c is n_ctx (total cells, split by -np) and -b the logical batch in tokens, never sequences.
  withWorkload(o, w) {
    const l = { ...o.llamaCpp };
    const same = (value: number | undefined, option: number | undefined, field: string, path: string, what: string) => {
      if (value !== undefined && option !== undefined && value !== option)
        throw new InvalidInputError([
          {
            path,
            message: `\`${field}\` ${value} and \`${path}\` ${option} disagree: llama.cpp reads both as ${what}`,
            received: option,
          },
        ]);
    };
    same(w.context, l.ctxSize, 'context', 'llamaCpp.ctxSize', 'n_ctx, the total of cells');
    same(w.batch, l.batchSize, 'batch', 'llamaCpp.batchSize', 'n_batch, the logical batch in tokens');
    if (w.context !== undefined) l.ctxSize = w.context;
    if (w.batch !== undefined) l.batchSize = w.batch;
    return { ...o, llamaCpp: l };
  },

  workloadLabel(context, batch) {
    return `-c ${formatCount(context * batch)} cells · -np ${batch} (${formatCount(context)} tokens per sequence)`;
  },

  // A solver varies the context × sequences (-c follows) or the sequences (-np follows).
  unpinned(o, what) {
    if (!o.llamaCpp) return o;
    const { ctxSize: _c, parallel: _p, ...rest } = o.llamaCpp;
    return {
      ...o,
      llamaCpp:
        what === 'context' && o.llamaCpp.parallel !== undefined ? { ...rest, parallel: o.llamaCpp.parallel } : rest,
    };
  },
};
