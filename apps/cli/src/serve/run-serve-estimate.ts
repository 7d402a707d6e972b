import {
  engineProfile,
  estimateServing,
  type PreparedModel,
  requireEngineFormat,
  type ServingEstimate,
  type ServingOptions,
  solveGpuLayers,
  type WeightFormat,
} from '@vramkit/core';
import type { CommandArgs, Io } from '../command.js';
import { UsageError } from '../errors.js';
import { readFlag } from '../flag-parse.js';
import { boolFlag } from '../flags.js';
import type { NamedModel } from '../model-argument.js';
import { type EmitTarget, emitLaunch } from './emit.js';
import { engineFlag, servingOptionsFrom } from './engine-flags.js';
import { storedFormat } from '@vramkit/models';
import { llamaFileTypeFormats } from '@vramkit/quant';
import { renderServing } from './render-serving.js';

/**
 * The weight format an engine runs the model in: the one chosen (flag, file, checkpoint), else the
 * engine profile's default (llama.cpp: Q4_K_M, with a note saying so).
 */
export function serveFormat(
  engine: ServingOptions['engine'],
  format: WeightFormat | undefined,
  notes: string[],
  model?: PreparedModel,
): WeightFormat | undefined {
  const profile = engineProfile(engine);
  let f = format;
  if (!f && model?.inventorySource === 'gguf') {
    f = storedFormat;
    notes.push("weights as stored in the GGUF file: every tensor's type from its header (exact)");
  }
  if (!f && engine === profile.id && profile.defaultFormat.id !== 'bf16') {
    f = llamaFileTypeFormats[profile.defaultFormat.id];
    if (f) notes.push(`weights ${f.id}: ${profile.defaultFormat.reason}; pass --quant to choose another`);
  }
  if (f) requireEngineFormat(engine, f, model?.inventorySource);
  return f;
}

/**
 * Plans a serving question from flags: for llama.cpp without `-ngl`, the most layers that fit
 * (solveGpuLayers); otherwise the flags as given.
 */
export function planServing(
  values: CommandArgs['values'],
  model: PreparedModel,
  format: WeightFormat | undefined,
): { options: ServingOptions; estimate: ServingEstimate; notes: string[] } {
  const engine = engineFlag(values);
  if (!engine) throw new UsageError('--engine is required here: llama.cpp, vllm or transformers', 'engine');
  const notes: string[] = [];
  const chosen = serveFormat(engine, format, notes, model);
  let options = servingOptionsFrom(values, engine, model, chosen);
  if (engine === 'llama.cpp' && options.llamaCpp?.nGpuLayers === undefined && options.gpus.length > 0) {
    const best = solveGpuLayers(options);
    options = { ...options, llamaCpp: { ...options.llamaCpp, nGpuLayers: best.value } };
    notes.push(
      `-ngl ${best.value}: the most layers that fit${best.binding !== 'none' ? ` (one more is limited by ${best.binding})` : ''}`,
    );
  }
  const estimate = estimateServing(options);
  estimate.assumptions.push(...notes);
  return { options, estimate, notes };
}

/**
 * `vramkit estimate <model> --engine …`: the serving estimate for an engine, rendered as a table,
 * as JSON (`--json`), or as the launch command that fits (`--emit llama-server|vllm|ollama`).
 * @param args parsed command line (estimate's options merged with `serveOptions`)
 * @param io output streams
 * @param model the resolved model argument (its `model` is what the engine estimates)
 * @param format the weight format from `--quant` / `--file`, if any
 * @returns the exit code: 0 when it fits (or when emitting), 1 when it does not
 */
export function runServeEstimate(args: CommandArgs, io: Io, model: NamedModel, format?: WeightFormat): number {
  const v = args.values;
  const { options, estimate } = planServing(v, model.model, format);
  const emit = readFlag(v, 'emit') as EmitTarget | undefined;
  if (emit) {
    io.out(emitLaunch(emit, options, estimate, model.argument));
    return estimate.fits ? 0 : 1;
  }
  if (boolFlag(v, 'json')) {
    const out = {
      schema: 'vramkit/serve@1',
      model: { name: model.name, argument: model.argument },
      format: options.format?.id ?? 'bf16',
      context: estimate.context,
      batch: estimate.batch,
      bytes: estimate.bytes,
      gpus: estimate.gpus,
      engine: estimate.engine,
      ...(estimate.engine.hostBytes !== undefined ? { hostBytes: estimate.engine.hostBytes } : {}),
      fits: estimate.fits,
      binding: estimate.binding,
      ...(estimate.refusal ? { refusal: estimate.refusal } : {}),
      ...(estimate.throughput ? { throughput: estimate.throughput } : {}),
      breakdown: estimate.breakdown,
      assumptions: estimate.assumptions,
    };
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return estimate.fits ? 0 : 1;
  }
  io.out(renderServing(model.name, options, estimate));
  return estimate.fits ? 0 : 1;
}
