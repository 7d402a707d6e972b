import { customGpu, type EngineId, type GpuSpec, lookupGpu, type ServingOptions, type Architecture, type WeightFormat } from '@vramkit/core';
import type { CommandArgs } from '../command.js';
import { UsageError } from '../errors.js';
import { collect, expandAliases, optionsOf, readFlag } from '../flag-parse.js';
import { FLAGS } from '../flag-table.js';
import { stringFlag } from '../flags.js';

/**
 * parseArgs options for the engine flags (declared in the flag table: `engine` and the `llama.cpp` and
 * `vllm` sections), for tests that parse serving command lines.
 */
export const serveOptions = optionsOf(FLAGS.filter((f) => f.section === 'engine' || f.section === 'llama.cpp' || f.section === 'vllm'));

/** Rewrites llama.cpp's multi-letter short flags (`-ngl 99`, `-ctk=q8_0`) to their long names, which node's parseArgs accepts. */
export const expandEngineShortFlags = expandAliases;

/** The GPUs the flags name (`--gpu` ids and `--gpu-memory` sizes), in order. */
export function parseGpus(values: CommandArgs['values']): GpuSpec[] {
  const ids = (readFlag(values, 'gpu') as string[] | undefined) ?? [];
  const sizes = (readFlag(values, 'gpu-memory') as number[] | undefined) ?? [];
  const gpus: GpuSpec[] = ids.flatMap((id) => id.split(',').filter(Boolean)).map((id) => lookupGpu(id));
  for (const n of sizes) gpus.push(customGpu(n));
  return gpus;
}

/** The engine flag, or undefined. */
export function engineFlag(values: CommandArgs['values']): EngineId | undefined {
  const raw = stringFlag(values, 'engine');
  if (raw === undefined) return undefined;
  const key = raw.toLowerCase().replace(/^llamacpp$|^llama-cpp$|^llama_cpp$/, 'llama.cpp').replace(/^hf$|^pytorch$/, 'transformers');
  if (key !== 'llama.cpp' && key !== 'vllm' && key !== 'transformers') throw new UsageError(`--engine must be llama.cpp, vllm or transformers (got "${raw}")`, 'engine');
  return key;
}

/**
 * Builds a core serving question from parsed flags.
 * @param values parsed flags (estimate's `context`/`batch` included)
 * @param engine the engine
 * @param model the model architecture
 * @param format the weight format, if any
 * @throws UsageError for malformed values; NoSuchGpuError for unknown GPU ids
 */
export function servingOptionsFrom(values: CommandArgs['values'], engine: EngineId, model: Architecture, format: WeightFormat | undefined, gpus: GpuSpec[] = parseGpus(values)): ServingOptions {
  if (gpus.length === 0 && engine !== 'llama.cpp') throw new UsageError(`--engine ${engine} needs a GPU: --gpu <id> (vramkit gpus) or --gpu-memory <size>`, 'gpu');
  const flags = collect(values, 'serving') as Partial<ServingOptions>;
  return {
    engine,
    model,
    ...(format ? { format } : {}),
    gpus,
    ...flags,
    llamaCpp: { ...flags.llamaCpp },
    vllm: { ...flags.vllm },
  };
}
