import { estimateInference, formatCount } from '@vramkit/core';
import { hubFlagHelp, hubFlagOptions } from '../hub-flags.js';
import type { Command, CommandArgs, Io } from '../command.js';
import { loadCliConfig } from '../config-file.js';
import { UsageError } from '../errors.js';
import { boolFlag, bytesFlag, choiceFlag, intFlag, modelPositional, numberFlag, stringFlag } from '../flags.js';
import { chooseFormat, setupFormats } from '../formats.js';
import { preparedFrom, resolveModel } from '../model-source.js';
import type { EstimateOutput } from '../output-schema.js';
import { renderBreakdown } from '../render.js';
import { engineFlag, serveHelp, serveOptions } from '../serve/engine-flags.js';
import { runServeEstimate } from '../serve/run-serve-estimate.js';
import { runTrainEstimate, trainingWorkloadForArgs } from '../train/run-train-estimate.js';
import { TRAIN_HELP, trainOptions } from '../train/train-flags.js';

const KV_DTYPES = ['f32', 'f16', 'bf16', 'fp8', 'q8_0', 'q4_0', 'q4_1', 'iq4_nl', 'q5_0', 'q5_1'] as const;

export const estimateOptions = {
  ...hubFlagOptions,
  quant: { type: 'string', short: 'q' },
  context: { type: 'string', short: 'c' },
  batch: { type: 'string', short: 'b' },
  'kv-dtype': { type: 'string' },
  'k-dtype': { type: 'string' },
  'v-dtype': { type: 'string' },
  attention: { type: 'string' },
  logits: { type: 'string' },
  'prefill-chunk': { type: 'string' },
  'force-mha': { type: 'boolean' },
  'ignore-windows': { type: 'boolean' },
  'cuda-context': { type: 'string' },
  'allocator-fraction': { type: 'string' },
  mode: { type: 'string' },
  config: { type: 'string' },
  plugin: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  ...serveOptions,
  ...trainOptions,
} as const;

const TRAIN_ONLY = Object.keys(trainOptions).filter((k) => !(k in serveOptions));

/** `--mode train`: the model may come from the trainer config named by `--from`. */
async function runTraining(args: CommandArgs, io: Io): Promise<number> {
  const v = args.values;
  let argument = args.positionals[0];
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}" (vramkit estimate --help)`, 'argv');
  if (argument === undefined && stringFlag(v, 'from')) argument = (await trainingWorkloadForArgs(args, io)).modelId;
  if (argument === undefined) throw new UsageError('estimate --mode train needs a model, or a --from trainer config that names one', 'model');
  const model = await resolveModel(argument, args, io);
  const quant = stringFlag(v, 'quant');
  const baseFormat = quant ? (await setupFormats(v, await loadCliConfig(stringFlag(v, 'config'), io.env, io.cwd), io.cwd)).registry.get(quant) : undefined;
  return runTrainEstimate(args, io, model, baseFormat);
}

/** Runs an inference estimate and prints it; shared by `estimate` and tests. */
export async function runInferenceEstimate(args: CommandArgs, io: Io): Promise<number> {
  const v = args.values;
  const config = await loadCliConfig(stringFlag(v, 'config'), io.env, io.cwd);
  const model = await resolveModel(modelPositional(args, 'estimate'), args, io);
  const setup = await setupFormats(v, config, io.cwd);
  const chosen = chooseFormat(setup, stringFlag(v, 'quant') ?? config.defaults.quant, model);
  const format = chosen.format;
  if (engineFlag(v)) return runServeEstimate(args, io, model, format);
  const kvDtype = choiceFlag(v, 'kv-dtype', KV_DTYPES) ?? (config.defaults.kvDtype as (typeof KV_DTYPES)[number] | undefined);
  const context = intFlag(v, 'context') ?? config.defaults.context;
  const e = estimateInference({
    model: preparedFrom(model),
    ...(format ? { format } : {}),
    ...(context !== undefined ? { context } : {}),
    batch: intFlag(v, 'batch') ?? config.defaults.batch ?? 1,
    ...(kvDtype ? { kvDtype } : {}),
    ...(choiceFlag(v, 'k-dtype', KV_DTYPES) ? { kDtype: choiceFlag(v, 'k-dtype', KV_DTYPES) } : {}),
    ...(choiceFlag(v, 'v-dtype', KV_DTYPES) ? { vDtype: choiceFlag(v, 'v-dtype', KV_DTYPES) } : {}),
    attention: choiceFlag(v, 'attention', ['flash', 'naive'] as const) ?? config.defaults.attention ?? 'flash',
    ...(choiceFlag(v, 'logits', ['all', 'last', 'none'] as const) ? { logits: choiceFlag(v, 'logits', ['all', 'last', 'none'] as const) } : {}),
    ...(intFlag(v, 'prefill-chunk') ? { prefillChunk: intFlag(v, 'prefill-chunk') } : {}),
    forceMha: boolFlag(v, 'force-mha'),
    ignoreWindows: boolFlag(v, 'ignore-windows'),
    overhead: {
      ...(bytesFlag(v, 'cuda-context') !== undefined ? { contextBytes: bytesFlag(v, 'cuda-context') } : {}),
      ...(numberFlag(v, 'allocator-fraction', 0, 1) !== undefined ? { allocatorFraction: numberFlag(v, 'allocator-fraction', 0, 1) } : {}),
    },
  });
  const p = e.parameters;
  if (boolFlag(v, 'json')) {
    const out: EstimateOutput = {
      schema: 'vramkit/estimate@1',
      mode: 'inference',
      model: { argument: model.argument, name: model.name, source: model.source, family: model.modelType, layers: model.architecture.layers.length },
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
      warnings: model.warnings,
    };
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const w = e.workload;
  const kv = w.kDtype || w.vDtype ? `K ${w.kDtype ?? w.kvDtype} / V ${w.vDtype ?? w.kvDtype}` : w.kvDtype;
  const moe = p.active !== p.total ? `, ${formatCount(p.active)} active` : '';
  const lines = [
    `${model.name}  (${model.modelType}, ${model.architecture.layers.length} layers, ${formatCount(p.total)} parameters${moe})`,
    `context ${formatCount(w.context)} tokens × batch ${w.batch} · weights ${e.format} · KV ${kv} · ${w.attention} attention · logits ${w.logits}`,
    '',
    renderBreakdown(e.parts, e.total, { kvCache: 'KV cache' }),
  ];
  for (const a of [...(chosen.note ? [chosen.note] : []), ...e.assumptions, ...model.warnings]) lines.push(`note: ${a}`);
  io.out(`${lines.join('\n')}\n`);
  return 0;
}

export const estimateCommand: Command = {
  name: 'estimate',
  summary: 'memory to run (or train) a model, with a breakdown of every part',
  help: `Usage: vramkit estimate <model> [options]

<model> is a Hub id from the embedded catalogue (vramkit models), a config.json, or a folder holding one.

Options:
  -q, --quant <id>            weight format: Q4_K_M, gptq-4bit-128g, awq, bnb-nf4, fp8-block, exl2@4.65, bf16, …
                              (vramkit quant list); default: the checkpoint's quantization_config, else bf16
      --plugin <pkg>          load a weight-format package (repeatable; also the config file's "plugins")
  -c, --context <tokens>      tokens per sequence (default 4096, printed when used; 32k = 32768)
  -b, --batch <n>             sequences at once (default 1)
      --kv-dtype <t>          KV cache dtype: f32 f16 bf16 fp8 q8_0 q4_0 q4_1 iq4_nl q5_0 q5_1 (default f16)
      --k-dtype/--v-dtype <t> K and V dtypes separately
      --attention <a>         flash (default: no L² term) or naive (materialized scores)
      --logits <l>            last (generation, default), all (plain forward: fp32 logits for every prompt token), none
      --prefill-chunk <n>     tokens per forward pass of the prompt (default: the whole context)
      --force-mha             cache as many KV heads as query heads (the naive calculators' error, to compare)
      --ignore-windows        cache every token on sliding-window layers too
      --cuda-context <size>   runtime context overhead (default 512MiB)
      --allocator-fraction <f> allocator share of KV + activations (default 0.05)
      --config <path>         CLI config file (defaults, plugins)
      --json                  machine-readable output (vramkit schema estimate)
      --mode <m>              inference (default) or train
  -h, --help                  this help

${serveHelp}
${TRAIN_HELP}
${hubFlagHelp}`,
  options: estimateOptions,
  async run(args, io) {
    const mode = choiceFlag(args.values, 'mode', ['inference', 'train'] as const) ?? 'inference';
    if (mode === 'train') return runTraining(args, io);
    const stray = TRAIN_ONLY.find((k) => args.values[k] !== undefined);
    if (stray) throw new UsageError(`--${stray} is a training flag: add --mode train (vramkit estimate --help)`, stray);
    return runInferenceEstimate(args, io);
  },
};
