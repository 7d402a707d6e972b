import {
  DEFAULT_CONTEXT_TOKENS,
  formatCount,
  GIB,
  type ServingOptions,
  solveGpuLayers,
  solveMaxBatch,
  solveMaxContext,
} from '@vramkit/core';
import type { Command, CommandArgs, Io } from '../command.js';
import { UsageError } from '../errors.js';
import { parseArgsOptions, readFlag } from '../flag-parse.js';
import { boolFlag, modelPositional, stringFlag } from '../flags.js';
import { chooseFormats, formatSetup } from '../format-setup.js';
import { resolveModel } from '../model-argument.js';
import { table } from '../render.js';
import { ENGINE_CANDIDATES } from '../serve/candidate-formats.js';
import { engineFlag, servingOptionsFrom } from '../serve/engine-flags.js';

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

async function runFit(args: CommandArgs, io: Io): Promise<number> {
  const v = args.values;
  const model = await resolveModel(modelPositional(args, 'fit'), args, io);
  const engine = engineFlag(v) ?? 'llama.cpp';
  const prepared = model.model;
  const formats = chooseFormats(
    await formatSetup(args, io),
    prepared,
    stringFlag(v, 'quant'),
    ENGINE_CANDIDATES[engine],
  ).flatMap((c) => (c.format ? [c.format] : []));
  const base = servingOptionsFrom(v, engine, prepared, undefined);
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
    if (engine === 'llama.cpp' && o.llamaCpp?.nGpuLayers === undefined) {
      row.gpuLayers = solveGpuLayers({ ...o, context: nglContext }).value;
      row.totalLayers = prepared.arch.layers.length + 1;
    }
    return row;
  });
  if (boolFlag(v, 'json')) {
    io.out(
      `${JSON.stringify({ schema: 'vramkit/fit@1', model: { name: model.name, argument: model.argument }, engine, gpus: base.gpus.map((g) => g.id), contexts, rows }, null, 2)}\n`,
    );
    return 0;
  }
  const header = [
    'quant',
    'weights GiB',
    'max context (batch 1)',
    ...contexts.map((c) => `batch @ ${c >= 1024 && c % 1024 === 0 ? `${c / 1024}k` : c}`),
  ];
  if (engine === 'llama.cpp') header.push(`-ngl @ ${formatCount(nglContext)}`);
  const body = rows.map((r) => {
    const cells = [
      r.format,
      (r.weightBytes / GIB).toFixed(2),
      r.maxContext > 0
        ? `${formatCount(r.maxContext)}${r.maxContextBinding === 'model-context' ? ' (model max)' : ''}`
        : '—',
      ...contexts.map((c) => (r.maxBatch[String(c)]! > 0 ? String(r.maxBatch[String(c)]) : '—')),
    ];
    if (engine === 'llama.cpp') cells.push(r.gpuLayers !== undefined ? `${r.gpuLayers}/${r.totalLayers}` : '');
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
    `batch @ N: sequences of N tokens that fit at once (— = none)${engine === 'llama.cpp' ? '; all layers on the GPU unless -ngl is given. -ngl: the most layers that fit at the context, the rest in CPU RAM' : ''}.`,
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
