import { type Architecture, customGpu, type EngineId, type GpuSpec, lookupGpu, type PreparedModel, type ServingOptions, type WeightFormat } from '@vramkit/core';
import type { CommandArgs } from '../command.js';
import { UsageError } from '../errors.js';
import { boolFlag, bytesFlag, choiceFlag, intFlag, numberFlag, stringFlag } from '../flags.js';

/**
 * parseArgs options for the engine flags, under the engines' own names. Merged into `estimate`'s
 * options by its owner; `fit` and `compare` use them too. Names `estimate` already owns (`--context/-c`,
 * `--batch/-b`, `--quant`, `--json`) are not redefined: llama.cpp's `-c` is spelled `--ctx-size` here and
 * its `-b` `--batch-size`. Multi-letter short flags (`-ngl`, `-ub`, `-np`, `-ctk`, `-ctv`, `-fa`) are
 * rewritten to their long names by {@link expandEngineShortFlags} before parsing.
 */
export const serveOptions = {
  engine: { type: 'string' },
  gpu: { type: 'string', multiple: true },
  'gpu-memory': { type: 'string', multiple: true },
  emit: { type: 'string' },
  'fit-margin': { type: 'string' },
  // llama.cpp
  'ctx-size': { type: 'string' },
  'batch-size': { type: 'string' },
  'ubatch-size': { type: 'string' },
  parallel: { type: 'string' },
  'flash-attn': { type: 'string' },
  'cache-type-k': { type: 'string' },
  'cache-type-v': { type: 'string' },
  'n-gpu-layers': { type: 'string' },
  'tensor-split': { type: 'string' },
  'kv-unified': { type: 'boolean' },
  // vLLM
  'max-model-len': { type: 'string' },
  'gpu-memory-utilization': { type: 'string' },
  'max-num-seqs': { type: 'string' },
  'max-num-batched-tokens': { type: 'string' },
  'tensor-parallel-size': { type: 'string' },
  tp: { type: 'string' },
  'pipeline-parallel-size': { type: 'string' },
  'kv-cache-dtype': { type: 'string' },
  'block-size': { type: 'string' },
  'enforce-eager': { type: 'boolean' },
  'disable-hybrid-kv-cache-manager': { type: 'boolean' },
} as const;

/** Help lines for {@link serveOptions}, for commands that include them. */
export const serveHelp = `Engine (memory as the engine allocates it, from its source code):
      --engine <e>                llama.cpp | vllm[@version] | transformers (vllm@0.6.3: V0 defaults)
      --gpu <id>                  a catalogue GPU (vramkit gpus); repeat for several (llama.cpp splits layers)
      --gpu-memory <size>         an exact capacity instead, e.g. 23.58GiB; repeatable
      --emit <e>                  print the launch command: llama-server | vllm | ollama
      --fit-margin <size>         memory "fits" keeps free on each GPU (default 1GiB; "tight" inside it)
  llama.cpp: -c/--ctx-size (total cells, split by -np), -b/--batch-size, --ubatch-size/-ub,
      --parallel/-np, --flash-attn/-fa on|off|auto, --cache-type-k/-ctk, --cache-type-v/-ctv,
      --n-gpu-layers/-ngl, --tensor-split 3,1, --kv-unified
  vLLM: --max-model-len, --gpu-memory-utilization, --max-num-seqs, --max-num-batched-tokens,
      --tensor-parallel-size/--tp, --pipeline-parallel-size, --kv-cache-dtype, --block-size, --enforce-eager,
      --disable-hybrid-kv-cache-manager
`;

const SHORT: Record<string, string> = { '-ngl': '--n-gpu-layers', '-ub': '--ubatch-size', '-np': '--parallel', '-ctk': '--cache-type-k', '-ctv': '--cache-type-v', '-fa': '--flash-attn', '-ts': '--tensor-split' };

/** Rewrites llama.cpp's multi-letter short flags (`-ngl 99`, `-ctk=q8_0`) to their long names, which node's parseArgs accepts. */
export function expandEngineShortFlags(argv: readonly string[]): string[] {
  return argv.map((a) => {
    const [flag, ...value] = a.split('=');
    const long = SHORT[flag!];
    return long ? [long, ...value].join('=') : a;
  });
}

/** The GPUs the flags name (`--gpu` ids and `--gpu-memory` sizes), in order. */
export function parseGpus(values: CommandArgs['values']): GpuSpec[] {
  const ids = (values.gpu as string[] | undefined) ?? [];
  const sizes = (values['gpu-memory'] as string[] | undefined) ?? [];
  const gpus: GpuSpec[] = ids.flatMap((id) => id.split(',').filter(Boolean)).map((id) => lookupGpu(id));
  for (const s of sizes) {
    // A bare number is not a size: 24 would be 24 bytes. Name both spellings.
    if (/^\s*[\d.]+\s*$/.test(s)) throw new UsageError(`--gpu-memory needs a unit: ${s.trim()}GiB (binary, as nvidia-smi's MiB) or ${s.trim()}GB (decimal, as GPU boxes are sold)`, 'gpu-memory');
    const n = bytesFlag({ 'gpu-memory': s }, 'gpu-memory');
    if (n === undefined || n <= 0) throw new UsageError(`--gpu-memory must be a size such as 23.58GiB (got "${s}")`, 'gpu-memory');
    gpus.push(customGpu(n));
  }
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
  const key = raw.toLowerCase().replace(/^llamacpp$|^llama-cpp$|^llama_cpp$/, 'llama.cpp').replace(/^hf$|^pytorch$/, 'transformers');
  if (key !== 'llama.cpp' && key !== 'vllm' && key !== 'transformers') throw new UsageError(`--engine must be llama.cpp, vllm or transformers (got "${raw}")`, 'engine');
  return key;
}

const KV = ['f32', 'f16', 'bf16', 'q8_0', 'q4_0', 'q4_1', 'iq4_nl', 'q5_0', 'q5_1'] as const;

/**
 * Builds a core serving question from parsed flags.
 * @param values parsed flags (estimate's `context`/`batch` included)
 * @param engine the engine
 * @param model the model architecture
 * @param format the weight format, if any
 * @throws UsageError for malformed values; NoSuchGpuError for unknown GPU ids
 */
export function servingOptionsFrom(values: CommandArgs['values'], engine: EngineId, model: Architecture | PreparedModel, format: WeightFormat | undefined, gpus: GpuSpec[] = parseGpus(values)): ServingOptions {
  if (gpus.length === 0 && engine !== 'llama.cpp') throw new UsageError(`--engine ${engine} needs a GPU: --gpu <id> (vramkit gpus) or --gpu-memory <size>`, 'gpu');
  let context = intFlag(values, 'context');
  let batch = intFlag(values, 'batch');
  let ctxSize = intFlag(values, 'ctx-size', 0);
  let batchSize = intFlag(values, 'batch-size');
  if (engine === 'llama.cpp') {
    // Under llama.cpp, -c and -b mean what they mean to llama-server: total KV cells (split by -np)
    // and the logical batch in tokens, never a number of sequences (those are -np).
    if (context !== undefined && ctxSize !== undefined && context !== ctxSize) throw new UsageError(`-c ${context} and --ctx-size ${ctxSize} disagree: they are the same llama.cpp flag`, 'ctx-size');
    if (batch !== undefined && batchSize !== undefined && batch !== batchSize) throw new UsageError(`-b ${batch} and --batch-size ${batchSize} disagree: they are the same llama.cpp flag`, 'batch-size');
    ctxSize = ctxSize ?? context;
    batchSize = batchSize ?? batch;
    context = undefined;
    batch = undefined;
  }
  const margin = bytesFlag(values, 'fit-margin');
  const split = stringFlag(values, 'tensor-split');
  const tensorSplit = split?.split(/[,/]/).map((x) => Number(x));
  if (tensorSplit?.some((x) => !Number.isFinite(x) || x < 0)) throw new UsageError(`--tensor-split takes proportions such as 3,1 (got "${split}")`, 'tensor-split');
  const tp = intFlag(values, 'tensor-parallel-size') ?? intFlag(values, 'tp');
  const ngl = intFlag(values, 'n-gpu-layers', 0);
  return {
    engine,
    model,
    ...(format ? { format } : {}),
    gpus,
    ...(context !== undefined ? { context } : {}),
    ...(batch !== undefined ? { batch } : {}),
    ...(margin !== undefined ? { marginBytes: margin } : {}),
    llamaCpp: {
      ...(ctxSize !== undefined ? { ctxSize } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(intFlag(values, 'ubatch-size') !== undefined ? { ubatchSize: intFlag(values, 'ubatch-size') } : {}),
      ...(intFlag(values, 'parallel') !== undefined ? { parallel: intFlag(values, 'parallel') } : {}),
      ...(choiceFlag(values, 'flash-attn', ['on', 'off', 'auto'] as const) ? { flashAttn: choiceFlag(values, 'flash-attn', ['on', 'off', 'auto'] as const) } : {}),
      ...(choiceFlag(values, 'cache-type-k', KV) ? { cacheTypeK: choiceFlag(values, 'cache-type-k', KV) } : {}),
      ...(choiceFlag(values, 'cache-type-v', KV) ? { cacheTypeV: choiceFlag(values, 'cache-type-v', KV) } : {}),
      ...(ngl !== undefined ? { nGpuLayers: ngl } : {}),
      ...(tensorSplit ? { tensorSplit } : {}),
      ...(boolFlag(values, 'kv-unified') ? { kvUnified: true } : {}),
    },
    ...(engine === 'transformers' && choiceFlag(values, 'logits', ['all', 'last', 'none'] as const) ? { transformers: { logits: choiceFlag(values, 'logits', ['all', 'last', 'none'] as const)! } } : {}),
    vllm: {
      ...(intFlag(values, 'max-model-len') !== undefined ? { maxModelLen: intFlag(values, 'max-model-len') } : {}),
      ...(numberFlag(values, 'gpu-memory-utilization', 0.01, 1) !== undefined ? { gpuMemoryUtilization: numberFlag(values, 'gpu-memory-utilization', 0.01, 1) } : {}),
      ...(intFlag(values, 'max-num-seqs') !== undefined ? { maxNumSeqs: intFlag(values, 'max-num-seqs') } : {}),
      ...(intFlag(values, 'max-num-batched-tokens') !== undefined ? { maxNumBatchedTokens: intFlag(values, 'max-num-batched-tokens') } : {}),
      ...(tp !== undefined ? { tensorParallelSize: tp } : {}),
      ...(intFlag(values, 'pipeline-parallel-size') !== undefined ? { pipelineParallelSize: intFlag(values, 'pipeline-parallel-size') } : {}),
      ...(stringFlag(values, 'kv-cache-dtype') ? { kvCacheDtype: stringFlag(values, 'kv-cache-dtype') } : {}),
      ...(intFlag(values, 'block-size') !== undefined ? { blockSize: intFlag(values, 'block-size') } : {}),
      ...(boolFlag(values, 'enforce-eager') ? { enforceEager: true } : {}),
      ...(boolFlag(values, 'disable-hybrid-kv-cache-manager') ? { disableHybridKvCacheManager: true } : {}),
      ...(engine === 'vllm' && engineVersion(values) ? { version: engineVersion(values) } : {}),
    },
  };
}
