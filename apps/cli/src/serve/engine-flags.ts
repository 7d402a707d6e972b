import {
  type Architecture,
  customGpu,
  ENGINE_PROFILES,
  engineNamed,
  engineProfile,
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
  const engine = engineNamed(raw);
  if (!engine)
    throw new UsageError(
      `--engine must be ${Object.keys(ENGINE_PROFILES)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1')} (got "${raw}")`,
      'engine',
    );
  return engine;
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
  const profile = engineProfile(engine);
  if (gpus.length === 0 && !profile.runsWithoutGpu)
    throw new UsageError(`--engine ${engine} needs a GPU: --gpu <id> (vramkit gpus) or --gpu-memory <size>`, 'gpu');
  const { context, batch, ...flags } = collect(values, 'serving') as Partial<ServingOptions>;
  const version = engineVersion(values);
  if (version !== undefined && !profile.versioned) {
    const takers = Object.values(ENGINE_PROFILES).filter((p) => p.versioned);
    throw new UsageError(
      `--engine ${engine}@${version}: only ${takers.map((p) => p.name).join(' and ')} take${takers.length === 1 ? 's' : ''} a version (${takers.map((p) => `${p.id}@0.6.3`).join(', ')})`,
      'engine',
    );
  }
  // -c and -b mean what the engine's own flags mean (llama.cpp: total cells and tokens per batch).
  const base: ServingOptions = {
    engine,
    model,
    ...(format ? { format } : {}),
    gpus,
    ...flags,
    llamaCpp: { ...flags.llamaCpp },
    vllm: { ...flags.vllm, ...(version ? { version } : {}) },
  };
  return profile.withWorkload(base, {
    ...(context !== undefined ? { context } : {}),
    ...(batch !== undefined ? { batch } : {}),
  });
}
