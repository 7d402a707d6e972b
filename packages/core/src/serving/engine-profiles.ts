import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { llamaCppMethods } from './engine-llama-cpp.js';
import type { EngineBreakdown, EngineFigures, EngineRun } from './engine-run.js';
import { transformersMethods } from './engine-transformers.js';
import { vllmMethods } from './engine-vllm.js';
import type { GpuSpec } from './gpus.js';
import type { LaunchInput, LaunchTarget } from './launch-lines.js';
import type { ServingOptions } from './serving.js';
import { SPECULATION_RULES, type SpeculationRules, type SpeculativeMethod } from './speculative.js';

/** Engines vramkit models from their source code. */
export type EngineId = 'llama.cpp' | 'vllm' | 'transformers';

/** Where a prepared model's tensor list came from. */
export type InventorySource = 'synthesized' | 'safetensors' | 'gguf';

/** The solvers an engine's figures use (passed in, so profiles and solvers do not import each other). */
export interface FigureSolvers {
  /** Longest context that fits at `batch` sequences. */
  maxContext(o: ServingOptions, batch: number): number;
  /** Most sequences of `context` tokens that fit, searched up to `maxBatch`. */
  maxBatch(o: ServingOptions, context: number, maxBatch: number): number;
  /** llama.cpp: the most layers that fit (`-ngl`), and what limits one more. */
  gpuLayers(o: ServingOptions): { value: number; binding: string };
}

/** An engine's figures at one run: the JSON contract's engine block, the workload it reports, its breakdown. */
export interface EngineReport {
  engine: EngineFigures;
  context: number;
  batch: number;
  breakdown: EngineBreakdown;
  refusal?: string;
}

/** What an engine does with a serving question: its memory model, workload defaults, figures and launch lines. */
export interface EngineMethods {
  /** The engine's memory at one context and batch (format already checked against the profile). */
  run(o: ServingOptions, context: number, batch: number): EngineRun;
  /** The engine's own planner: settings it picks when the flags leave them open (llama.cpp: `-ngl` that fits). */
  plan?(o: ServingOptions, solve: FigureSolvers): { options: ServingOptions; notes: string[] };
  /** Context and batch the question resolves to under the engine's own flags. */
  workload(o: ServingOptions): { context: number; batch: number };
  figures(o: ServingOptions, run: EngineRun, context: number, batch: number, solve: FigureSolvers): EngineReport;
  /** The GPU figures the speed model uses (bandwidth as the engine combines its GPUs) and the GPU-resident share. */
  speedDevice(o: ServingOptions, run: EngineRun): { gpu: GpuSpec; gpuWeightFraction: number } | undefined;
  /** Launch lines the engine runs as: `llama-server`/`ollama`, `vllm`, `transformers`. */
  launch: Partial<Record<LaunchTarget, (input: LaunchInput) => string>>;
  /**
   * A context and batch as the engine's own flags mean them (llama.cpp: `-c` total cells, `-b` the logical
   * batch in tokens; the others: tokens per sequence and sequences), folded into the question.
   * @throws InvalidInputError when a value disagrees with the engine option of the same meaning
   */
  withWorkload(o: ServingOptions, w: { context?: number; batch?: number }): ServingOptions;
  /** The workload in the engine's terms, for a header line (`-c 8,192 cells · -np 2 (4,096 tokens per sequence)`). */
  workloadLabel(context: number, batch: number): string;
  /** The question with the engine's totals freed so a solver can vary context or batch (llama.cpp `-c`, `-np`). */
  unpinned?(o: ServingOptions, what: 'context' | 'batch'): ServingOptions;
}

/** What one engine is: its defaults (written once), the weights it runs, its limits and its methods. */
export interface EngineProfile extends EngineMethods {
  id: EngineId;
  /** Display name. */
  name: string;
  /** Tokens per sequence when none is given. */
  defaultContext: number;
  /** Most sequences the engine serves at once (llama.cpp LLAMA_MAX_SEQ), if bounded. */
  maxSequences?: number;
  /** Weight format used when the model is a config and no format is chosen (and why). */
  defaultFormat: { id: string; reason: string };
  /** Whether a run needs a weight format (llama.cpp runs GGUF files: a file type). */
  requiresFormat: boolean;
  /**
   * Formats `fit` and `compare` try when none is given, largest first. `gguf-file-type`: llama.cpp file
   * types, the unquantized ones by their registry ids (`ggml:F16`: matrices f16, vectors f32, as
   * llama-quantize writes the F16 file type; plain `f16` is every tensor in f16); `registry`: weight-format ids.
   */
  candidateFormats: { kind: 'gguf-file-type' | 'registry'; ids: readonly string[] };
  /** Speculative decoding methods the engine runs (its `speculation.methods`). */
  speculativeMethods: readonly SpeculativeMethod[];
  /** How the engine drafts and verifies: methods, default γ, early stop, the settings it takes. */
  speculation: SpeculationRules;
  /** Whether the engine runs weights in this format (`stored`: as the file holds them, GGUF or safetensors). */
  runs(format: WeightFormat, inventory?: InventorySource): boolean;
  /** How the engine loads formats it runs (shown with the estimate). */
  formatNote: string;
  /** The format id the engine runs for a plain dtype it does not (llama.cpp: `f16` → the `ggml:F16` file type). */
  fileTypeFor?(format: WeightFormat): string | undefined;
  /** Other spellings of the id a user may type (`llama-cpp`, `hf`). */
  aliases: readonly string[];
  /** Whether it splits layers between GPU and CPU (llama.cpp `-ngl`); the others keep every layer on the GPU. */
  splitsLayers: boolean;
  /** Whether it answers without a GPU (llama.cpp runs on the CPU); the others need one. */
  runsWithoutGpu: boolean;
  /** Whether `engine@version` selects defaults by release (vLLM). */
  versioned: boolean;
}

/** The GGUF file type of each plain dtype: ggml's unquantized types, matrices in the type and vectors f32. */
const UNQUANTIZED_FILE_TYPES: Readonly<Record<string, string>> = {
  f16: 'ggml:F16',
  bf16: 'ggml:BF16',
  f32: 'ggml:F32',
};

const GGUF_TYPES = /^(gguf|ggml:.+|F32|F16|BF16|Q[1-8](_[0-9A-Z]+)*|IQ[1-4](_[A-Z0-9]+)*|TQ[12]_0|MXFP4(_MOE)?)$/;
const isGguf = (f: WeightFormat, inventory?: InventorySource): boolean =>
  GGUF_TYPES.test(f.id) || (f.id === 'stored' && inventory === 'gguf');

/**
 * The engine registry. llama.cpp: src/llama-cparams.h (LLAMA_MAX_SEQ 256), GGUF file types only; Q4_K_M is
 * what `ollama pull` and `llama-server -hf repo` take by default. Its default context here is 4096 tokens;
 * llama-server's own defaults differ (common/common.h n_ctx 0: the training context, lowered by `--fit`
 * to what fits, not below fit_params_min_ctx 4096; tools/server/server.cpp: `-np` auto is 4 slots with
 * `--kv-unified`), so the launch lines always carry `-c` and `-np`.
 * vLLM: vllm/config (max_model_len from the model), GPU formats. transformers: any format it can
 * load (GGUF is dequantized to the compute dtype by transformers' GGUF integration).
 */
export const ENGINE_PROFILES: Readonly<Record<EngineId, EngineProfile>> = {
  'llama.cpp': {
    id: 'llama.cpp',
    name: 'llama.cpp',
    defaultContext: 4096,
    maxSequences: 256,
    defaultFormat: {
      id: 'Q4_K_M',
      reason: 'a model given as a config runs as Q4_K_M, the file type ollama and llama-server -hf pull by default',
    },
    requiresFormat: true,
    candidateFormats: {
      kind: 'gguf-file-type',
      ids: ['ggml:F16', 'Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q3_K_M', 'Q2_K'],
    },
    speculativeMethods: SPECULATION_RULES['llama.cpp'].methods,
    speculation: SPECULATION_RULES['llama.cpp'],
    runs: isGguf,
    formatNote: 'GGUF file types (ggml:F16, Q8_0, Q4_K_M, …)',
    fileTypeFor: (f) => UNQUANTIZED_FILE_TYPES[f.id],
    aliases: ['llamacpp', 'llama-cpp', 'llama_cpp'],
    splitsLayers: true,
    runsWithoutGpu: true,
    versioned: false,
    ...llamaCppMethods,
  },
  vllm: {
    id: 'vllm',
    name: 'vLLM',
    defaultContext: 4096,
    defaultFormat: { id: 'bf16', reason: 'the checkpoint dtype' },
    requiresFormat: false,
    candidateFormats: { kind: 'registry', ids: ['bf16', 'fp8', 'gptq-4bit-128g', 'awq'] },
    speculativeMethods: SPECULATION_RULES.vllm.methods,
    speculation: SPECULATION_RULES.vllm,
    runs: (f, inventory) => !isGguf(f, inventory) || f.id === 'F16' || f.id === 'BF16' || f.id === 'F32',
    formatNote: 'safetensors checkpoints: bf16/fp16, fp8, GPTQ, AWQ, bitsandbytes',
    aliases: [],
    splitsLayers: false,
    runsWithoutGpu: false,
    versioned: true,
    ...vllmMethods,
  },
  transformers: {
    id: 'transformers',
    name: 'transformers',
    defaultContext: 4096,
    defaultFormat: { id: 'bf16', reason: 'the checkpoint dtype' },
    requiresFormat: false,
    candidateFormats: { kind: 'registry', ids: ['bf16', 'int8', 'bnb-nf4'] },
    speculativeMethods: SPECULATION_RULES.transformers.methods,
    speculation: SPECULATION_RULES.transformers,
    runs: () => true,
    formatNote: 'any checkpoint; GGUF files are dequantized to the compute dtype when loaded',
    aliases: ['hf', 'pytorch'],
    splitsLayers: false,
    runsWithoutGpu: false,
    versioned: false,
    ...transformersMethods,
  },
};

/** The engine a name means (its id or an alias, any case), or undefined. */
export function engineNamed(name: string): EngineId | undefined {
  const key = name.toLowerCase();
  return (Object.keys(ENGINE_PROFILES) as EngineId[]).find(
    (e) => e === key || ENGINE_PROFILES[e].aliases.includes(key),
  );
}

/** The profile of an engine. */
export function engineProfile(engine: EngineId): EngineProfile {
  return ENGINE_PROFILES[engine];
}

/**
 * Throws a typed error when the engine does not run the format, naming the engines that do.
 * @param inventory where the model's tensors came from (decides what `stored` means)
 * @throws InvalidInputError at path `format`
 */
export function requireEngineFormat(engine: EngineId, format: WeightFormat, inventory?: InventorySource): void {
  const p = ENGINE_PROFILES[engine];
  if (p.runs(format, inventory)) return;
  const others = Object.values(ENGINE_PROFILES)
    .filter((e) => e.runs(format, inventory))
    .map((e) => e.name);
  const fileType = p.fileTypeFor?.(format);
  throw new InvalidInputError([
    {
      path: 'format',
      message: `${p.name} does not run ${format.id} weights (it runs ${p.formatNote}); ${others.join(' and ')} ${others.length === 1 ? 'does' : 'do'}${fileType ? `; its ${format.id} file type is \`${fileType}\`` : ''}`,
      received: format.id,
    },
  ]);
}

/** The engines whose profile builds a launch target (`ollama` → llama.cpp). */
export function enginesLaunching(target: LaunchTarget): EngineId[] {
  return (Object.keys(ENGINE_PROFILES) as EngineId[]).filter((e) => ENGINE_PROFILES[e].launch[target] !== undefined);
}

/** The launch target an engine's `--emit` prints by default: its profile's first (llama-server, vllm, transformers). */
export function defaultLaunchTarget(engine: EngineId): LaunchTarget {
  return Object.keys(ENGINE_PROFILES[engine].launch)[0] as LaunchTarget;
}

/**
 * The launch command (or Modelfile, or script) that runs the estimated configuration, built by the
 * engine's profile from the estimate's inputs: every setting the estimate depends on is on the line.
 * @param target the launch target; default the engine's first (llama-server, vllm, transformers)
 * @throws InvalidInputError at `launch.target` when the engine does not launch as `target`
 */
export function launchCommand(input: LaunchInput, target?: LaunchTarget): string {
  const p = ENGINE_PROFILES[input.options.engine];
  const t = target ?? defaultLaunchTarget(input.options.engine);
  const build = p.launch[t];
  if (!build) {
    const engines = enginesLaunching(t).map((e) => ENGINE_PROFILES[e].name);
    throw new InvalidInputError([
      {
        path: 'launch.target',
        message: `launch target ${t} is built for ${engines.join(' and ')}, not ${p.name} (it launches as ${Object.keys(p.launch).join(', ')})`,
        received: t,
      },
    ]);
  }
  return build(input);
}
