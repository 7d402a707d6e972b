import {
  DEFAULT_CONTEXT_TOKENS,
  engineProfile,
  estimateServing,
  formatCount,
  GIB,
  type ServingOptions,
  solveGpuLayers,
  solveMaxBatch,
  solveMaxContext,
  type WeightFormat,
} from '@vramkit/core';
import type { Command, CommandArgs, Io } from '../command.js';
import { UsageError } from '../errors.js';
import { parseArgsOptions, readFlag } from '../flag-parse.js';
import { boolFlag, modelPositional, stringFlag } from '../flags.js';
import { chooseFormats, formatSetup } from '../format-setup.js';
import { resolveModel } from '../model-argument.js';
import { table } from '../render.js';
import { engineCandidates } from '../serve/candidate-formats.js';
import { engineFlag, servingOptionsFrom } from '../serve/engine-flags.js';
import { withDraft } from '../serve/speculative-flags.js';

// The columns shown when --contexts is not given: 4k, 8k, 32k, 128k (up to the model's limit).
const DEFAULT_COLUMNS = [4096, 8192, 32768, 131072];

function contextsFrom(list: number[] | undefined, limit: number | undefined): number[] {
  return (list ?? DEFAULT_COLUMNS).filter((c) => limit === undefined || c <= limit);
}

/** Row of the fit table. */
interface FitRow {
  format: string;
  weightBytes: number;
  maxContext: number;
  maxContextBinding: string;
  maxBatch: Record<string, number>;
  gpuLayers?: number;
  totalLayers?: number;
}

/** The draft every cell counts: its model, format and bytes at one context (the first candidate's run). */
interface FitDraft {
  model: string | null;
  method: string;
  format: string;
  draftTokens: number;
  weightBytes: number;
  kvCacheBytes: number;
  context: number;
}

function draftFigures(base: ServingOptions, format: WeightFormat, context: number, argument?: string): FitDraft {
  const e = estimateServing({ ...base, format, context, batch: 1 });
  const b = e.breakdown;
  const parts = ('devices' in b ? b.devices[0]?.parts.draft : b.parts.draft)?.parts ?? {};
  const s = e.speculative!;
  const draftFormat = s.method === 'mtp' ? format : (base.speculative?.draftFormat ?? format);
  return {
    model: argument ?? null,
    method: s.method,
    format: draftFormat.id,
    draftTokens: s.draftTokens,
    weightBytes: parts.weights?.bytes ?? 0,
    kvCacheBytes: parts.kvCache?.bytes ?? 0,
    context,
  };
}

async function runFit(args: CommandArgs, io: Io): Promise<number> {
  const v = args.values;
  const model = await resolveModel(modelPositional(args, 'fit'), args, io);
  const engine = engineFlag(v) ?? 'llama.cpp';
  const profile = engineProfile(engine);
  const prepared = model.model;
  const formats = chooseFormats(
    await formatSetup(args, io),
    prepared,
    stringFlag(v, 'quant'),
    engineCandidates(engine),
  ).flatMap((c) => (c.format ? [c.format] : []));
  const { options: base, draftArgument } = await withDraft(
    servingOptionsFrom(v, engine, prepared, undefined),
    args,
    io,
  );
  if (base.gpus.length === 0)
    throw new UsageError('fit needs a GPU: --gpu <id> (vramkit gpus) or --gpu-memory <size>', 'gpu');
  const limit = prepared.arch.maxPositionEmbeddings;
  const contexts = contextsFrom(readFlag(v, 'contexts') as number[] | undefined, limit);
  const nglContext = (readFlag(v, 'context') as number | undefined) ?? DEFAULT_CONTEXT_TOKENS;
  const rows: FitRow[] = formats.map((format) => {
    const o: ServingOptions = { ...base, model: prepared, format };
    const mc = solveMaxContext(o, { batch: 1 });
    const maxBatch: Record<string, number> = {};
    for (const c of contexts) maxBatch[String(c)] = solveMaxBatch(o, { context: c, maxBatch: 256 }).value;
    const row: FitRow = {
      format: format.id,
      weightBytes: prepared.weightsIn(format).total,
      maxContext: mc.value,
      maxContextBinding: mc.binding,
      maxBatch,
    };
    if (profile.splitsLayers && o.llamaCpp?.nGpuLayers === undefined) {
      row.gpuLayers = solveGpuLayers({ ...o, context: nglContext }).value;
      row.totalLayers = prepared.arch.layers.length + 1;
    }
    return row;
  });
  const draft = base.speculative && formats[0] ? draftFigures(base, formats[0], nglContext, draftArgument) : undefined;
  if (boolFlag(v, 'json')) {
    io.out(
      `${JSON.stringify({ schema: 'vramkit/fit@1', model: { name: model.name, argument: model.argument }, engine, gpus: base.gpus.map((g) => g.id), contexts, ...(draft ? { draft } : {}), rows }, null, 2)}\n`,
    );
    return 0;
  }
  const header = [
    'quant',
    'weights GiB',
    'max context (batch 1)',
    ...contexts.map((c) => `batch @ ${c >= 1024 && c % 1024 === 0 ? `${c / 1024}k` : c}`),
  ];
  if (profile.splitsLayers) header.push(`-ngl @ ${formatCount(nglContext)}`);
  const body = rows.map((r) => {
    const cells = [
      r.format,
      (r.weightBytes / GIB).toFixed(2),
      r.maxContext > 0
        ? `${formatCount(r.maxContext)}${r.maxContextBinding === 'model-context' ? ' (model max)' : ''}`
        : '—',
      ...contexts.map((c) => (r.maxBatch[String(c)]! > 0 ? String(r.maxBatch[String(c)]) : '—')),
    ];
    if (profile.splitsLayers) cells.push(r.gpuLayers !== undefined ? `${r.gpuLayers}/${r.totalLayers}` : '');
    return cells;
  });
  const gpuNames = base.gpus.map((g) => g.name).join(' + ');
  const lines = [
    `${model.name} on ${gpuNames} with ${engine}`,
    '',
    table(
      [header, ...body],
      header.map((_, i) => i > 0),
    ),
    '',
    ...(draft
      ? [
          `draft (${draft.method}): ${draft.model ?? "the model's own MTP layers"} in ${draft.format} · weights ${(draft.weightBytes / GIB).toFixed(2)} GiB · KV ${(draft.kvCacheBytes / GIB).toFixed(2)} GiB at ${formatCount(draft.context)} tokens · γ ${draft.draftTokens}; counted in every cell`,
        ]
      : []),
    `batch @ N: sequences of N tokens that fit at once (— = none)${profile.splitsLayers ? '; all layers on the GPU unless -ngl is given. -ngl: the most layers that fit at the context, the rest in CPU RAM' : ''}.`,
  ];
  io.out(`${lines.join('\n')}\n`);
  return rows.some((r) => r.maxContext > 0) ? 0 : 1;
}

export const fitCommand: Command = {
  name: 'fit',
  summary: 'which quant × context × batch fits a GPU, per engine',
  help: `Usage: vramkit fit <model> --gpu <id> [options]

For each candidate weight format: the longest context at batch 1, the most sequences at each context,
and (llama.cpp) the most layers that fit on the GPU. Every cell is the engine's own allocation model
(vramkit estimate --engine … shows one of them in full).

The candidates: --quant a,b,… (families keep their parameters: gptq@bits=3,group=64); else a GGUF file
as stored, or the checkpoint's own quantization_config; else the engine's defaults (llama.cpp F16…Q2_K;
vLLM bf16, fp8, GPTQ, AWQ; transformers bf16, int8, NF4).
`,
  options: parseArgsOptions('fit'),
  maxPositionals: 1,
  flagContext: (values) => ({ mode: 'infer', engines: [engineFlag(values) ?? 'llama.cpp'] }),
  run: runFit,
};
