import { estimateInference, formatCount, type InferenceOptions } from '@vramkit/core';
import { inCliTerms } from '../flag-paths.js';
import type { Command, CommandArgs, Io } from '../command.js';
import type { CliConfig } from '../config-file.js';
import { CONFIG_FLAGS } from '../config-file.js';
import { UsageError } from '../errors.js';
import { checkOneGpu, collect, type FlagContext, inScope, parseArgsOptions, readFlag } from '../flag-parse.js';
import { scopesOf } from '../flag-table.js';
import { boolFlag, modelPositional, stringFlag } from '../flags.js';
import { chooseFormat, formatSetup, shareFormatSetup } from '../format-setup.js';
import { resolveModel } from '../model-argument.js';
import type { EstimateOutput } from '../output-schema.js';
import { renderBreakdown } from '../render.js';
import { engineFlag } from '../serve/engine-flags.js';
import { runServeEstimate } from '../serve/run-serve-estimate.js';
import { runTrainEstimate, trainingWorkloadForArgs } from '../train/run-train-estimate.js';

function estimateContext(values: CommandArgs['values']): FlagContext {
  if (readFlag(values, 'mode') === 'train') return { mode: 'train', engines: ['none'] };
  return { mode: 'infer', engines: [engineFlag(values) ?? 'none'] };
}

/**
 * The config file's `defaults`, as if typed, for the flags not given that apply to this run (a
 * default that does not apply, `kvDtype` under `--engine llama.cpp`, is a default, not a request).
 */
function withConfigDefaults(args: CommandArgs, config: CliConfig): CommandArgs {
  const ctx = estimateContext(args.values);
  const values = { ...args.values };
  for (const f of CONFIG_FLAGS) {
    const v = config.defaults[f.config!];
    if (v === undefined || values[f.name] !== undefined || !scopesOf(f, 'estimate').some((s) => inScope(s, ctx)))
      continue;
    values[f.name] = typeof v === 'boolean' ? v : Array.isArray(v) ? v.join(',') : String(v);
  }
  return { positionals: args.positionals, values };
}

/** `--mode train`: the model may come from the trainer config named by `--from`. */
async function runTraining(args: CommandArgs, io: Io): Promise<number> {
  const v = args.values;
  checkOneGpu(v);
  let argument = args.positionals[0];
  if (argument === undefined && stringFlag(v, 'from')) argument = (await trainingWorkloadForArgs(args, io)).modelId;
  if (argument === undefined)
    throw new UsageError('estimate --mode train needs a model, or a --from trainer config that names one', 'model');
  const model = await resolveModel(argument, args, io);
  // Training takes its frozen base from an explicit --quant only: a trainer loads a quantized checkpoint per its method.
  const quant = stringFlag(v, 'quant');
  const baseFormat = quant ? chooseFormat(await formatSetup(args, io), model.model, quant).format : undefined;
  return runTrainEstimate(args, io, model, baseFormat);
}

/** Runs an inference estimate and prints it; shared by `estimate` and tests. */
export async function runInferenceEstimate(args: CommandArgs, io: Io): Promise<number> {
  const v = args.values;
  const model = await resolveModel(modelPositional(args, 'estimate'), args, io);
  const chosen = chooseFormat(await formatSetup(args, io), model.model, stringFlag(v, 'quant'));
  const format = chosen.format;
  if (engineFlag(v)) return runServeEstimate(args, io, model, format);
  const e = estimateInference({
    ...(collect(v, 'inference') as Omit<InferenceOptions, 'model'>),
    model: model.model,
    ...(format ? { format } : {}),
  });
  const p = e.parameters;
  if (boolFlag(v, 'json')) {
    const out: EstimateOutput = {
      schema: 'vramkit/estimate@1',
      mode: 'inference',
      model: {
        argument: model.argument,
        name: model.name,
        source: model.source,
        family: model.model.arch.family,
        layers: model.model.arch.layers.length,
      },
      parameters: { total: p.total, active: p.active, checkpointTotal: p.checkpointTotal, breakdown: p.parts },
      format: e.format,
      workload: e.workload,
      bytes: {
        total: e.total,
        weights: e.parts.weights!.bytes,
        kvCache: e.parts.kvCache!.bytes,
        activations: e.parts.activations!.bytes,
        overhead: e.parts.overhead!.bytes,
      },
      breakdown: e.parts,
      assumptions: chosen.note ? [chosen.note, ...e.assumptions] : e.assumptions,
      warnings: [...model.warnings],
    };
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const w = e.workload;
  const kv = w.kDtype || w.vDtype ? `K ${w.kDtype ?? w.kvDtype} / V ${w.vDtype ?? w.kvDtype}` : w.kvDtype;
  const moe = p.active !== p.total ? `, ${formatCount(p.active)} active` : '';
  const lines = [
    `${model.name}  (${model.model.arch.family}, ${model.model.arch.layers.length} layers, ${formatCount(p.total)} parameters${moe})`,
    `context ${formatCount(w.context)} tokens × batch ${w.batch} · weights ${e.format} · KV ${kv} · ${w.attention} attention · logits ${w.logits}`,
    '',
    renderBreakdown(e.parts, e.total, { kvCache: 'KV cache' }),
  ];
  for (const a of [...(chosen.note ? [chosen.note] : []), ...e.assumptions, ...model.warnings])
    lines.push(`note: ${inCliTerms(a)}`);
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

export const estimateCommand: Command = {
  name: 'estimate',
  summary: 'memory to run (or train) a model, with a breakdown of every part',
  help: `Usage: vramkit estimate <model> [options]

<model> is a Hub id (vramkit models lists the embedded catalogue), a config.json, a folder holding one,
or a .gguf file. Without --engine: the engine-neutral inference model; with --engine: memory as that
engine allocates it; with --mode train: per-GPU training memory. A flag that does not apply to the
chosen mode or engine is an error that says where it applies.
`,
  options: parseArgsOptions('estimate'),
  maxPositionals: 1,
  flagContext: estimateContext,
  async run(args, io) {
    const full = withConfigDefaults(args, (await formatSetup(args, io)).config);
    shareFormatSetup(args, full);
    if (estimateContext(full.values).mode === 'train') return runTraining(full, io);
    return runInferenceEstimate(full, io);
  },
};
