import {
  type Architecture,
  customGpu,
  type EngineId,
  type GpuSpec,
  lookupGpu,
  type PreparedModel,
  type ServingOptions,
  type WeightFormat,
} from '@vramkit/core';
import type { CommandArgs } from '../command.js';
import { UsageError } from '../errors.js';
import { collect, expandAliases, optionsOf, readFlag } from '../flag-parse.js';
import { FLAGS } from '../flag-table.js';
import { stringFlag } from '../flags.js';

/**
 * parseArgs options for the engine flags (declared in the flag table: `engine` and the `llama.cpp` and
 * `vllm` sections), for tests that parse serving command lines.
 */
export const serveOptions = optionsOf(
  FLAGS.filter((f) => f.section === 'engine' || f.section === 'llama.cpp' || f.section === 'vllm'),
);

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

/** The version in `--engine vllm@0.6.3`, or undefined. */
export function engineVersion(values: CommandArgs['values']): string | undefined {
  const raw = stringFlag(values, 'engine');
  const at = raw?.indexOf('@') ?? -1;
  return raw && at > 0 ? raw.slice(at + 1) : undefined;
}

/** The engine flag (without an `@version`), or undefined. */
export function engineFlag(values: CommandArgs['values']): EngineId | undefined {
  const full = stringFlag(values, 'engine');
  if (full === undefined) return undefined;
  const raw = full.split('@')[0]!;
  const key = raw
    .toLowerCase()
    .replace(/^llamacpp$|^llama-cpp$|^llama_cpp$/, 'llama.cpp')
    .replace(/^hf$|^pytorch$/, 'transformers');
  if (key !== 'llama.cpp' && key !== 'vllm' && key !== 'transformers')
    throw new UsageError(`--engine must be llama.cpp, vllm or transformers (got "${raw}")`, 'engine');
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
export function servingOptionsFrom(
  values: CommandArgs['values'],
  engine: EngineId,
  model: Architecture | PreparedModel,
  format: WeightFormat | undefined,
  gpus: GpuSpec[] = parseGpus(values),
): ServingOptions {
  if (gpus.length === 0 && engine !== 'llama.cpp')
    throw new UsageError(`--engine ${engine} needs a GPU: --gpu <id> (vramkit gpus) or --gpu-memory <size>`, 'gpu');
  const { context, batch, ...flags } = collect(values, 'serving') as Partial<ServingOptions>;
  const llamaCpp = { ...flags.llamaCpp };
  const workload: Pick<ServingOptions, 'context' | 'batch'> = {};
  if (engine === 'llama.cpp') {
    // Under llama.cpp, -c and -b mean what they mean to llama-server: total KV cells (split by -np)
    // and the logical batch in tokens, never a number of sequences (those are -np).
    if (context !== undefined && llamaCpp.ctxSize !== undefined && context !== llamaCpp.ctxSize)
      throw new UsageError(
        `-c ${context} and --ctx-size ${llamaCpp.ctxSize} disagree: they are the same llama.cpp flag`,
        'ctx-size',
      );
    if (batch !== undefined && llamaCpp.batchSize !== undefined && batch !== llamaCpp.batchSize)
      throw new UsageError(
        `-b ${batch} and --batch-size ${llamaCpp.batchSize} disagree: they are the same llama.cpp flag`,
        'batch-size',
      );
    if (context !== undefined) llamaCpp.ctxSize = context;
    if (batch !== undefined) llamaCpp.batchSize = batch;
  } else {
    if (context !== undefined) workload.context = context;
    if (batch !== undefined) workload.batch = batch;
  }
  const version = engineVersion(values);
  if (version !== undefined && engine !== 'vllm')
    throw new UsageError(`--engine ${engine}@${version}: only vLLM takes a version (vllm@0.6.3)`, 'engine');
  return {
    engine,
    model,
    ...(format ? { format } : {}),
    gpus,
    ...flags,
    ...workload,
    llamaCpp,
    vllm: { ...flags.vllm, ...(version ? { version } : {}) },
  };
}
