import { type Architecture, estimateServing, type ServingEstimate, type ServingOptions, solveGpuLayers, type WeightFormat } from '@vramkit/core';
import type { CommandArgs, Io } from '../command.js';
import { UsageError } from '../errors.js';
import { readFlag } from '../flag-parse.js';
import { boolFlag } from '../flags.js';
import { type EmitTarget, emitLaunch } from './emit.js';
import { engineFlag, servingOptionsFrom } from './engine-flags.js';
import { renderServing } from './render-serving.js';

/** The model as `estimate` resolved it. */
export interface ServeModel {
  architecture: Architecture;
  /** Display name (Hub id or path). */
  name: string;
  /** What the user typed (used in `--emit` commands). */
  argument: string;
}

/**
 * Plans a serving question from flags: for llama.cpp without `-ngl`, the most layers that fit
 * (solveGpuLayers); otherwise the flags as given.
 */
export function planServing(values: CommandArgs['values'], model: ServeModel, format: WeightFormat | undefined): { options: ServingOptions; estimate: ServingEstimate; notes: string[] } {
  const engine = engineFlag(values);
  if (!engine) throw new UsageError('--engine is required here: llama.cpp, vllm or transformers', 'engine');
  if (engine === 'llama.cpp' && !format) throw new UsageError('llama.cpp runs GGUF files: pass --quant Q4_K_M (or another llama.cpp file type), or --file <model.gguf>', 'quant');
  let options = servingOptionsFrom(values, engine, model.architecture, format);
  const notes: string[] = [];
  if (engine === 'llama.cpp' && options.llamaCpp?.nGpuLayers === undefined && options.gpus.length > 0) {
    const best = solveGpuLayers(options);
    options = { ...options, llamaCpp: { ...options.llamaCpp, nGpuLayers: best.value } };
    notes.push(`-ngl ${best.value}: the most layers that fit${best.binding !== 'none' ? ` (one more is limited by ${best.binding})` : ''}`);
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
 * @param model the resolved model
 * @param format the weight format from `--quant` / `--file`, if any
 * @returns the exit code: 0 when it fits (or when emitting), 1 when it does not
 */
export function runServeEstimate(args: CommandArgs, io: Io, model: ServeModel, format?: WeightFormat): number {
  const v = args.values;
  const { options, estimate } = planServing(v, model, format);
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
