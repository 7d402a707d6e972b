import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { WeightFormat } from '../formats/weight-format.js';

/** Engines vramkit models from their source code. */
export type EngineId = 'llama.cpp' | 'vllm' | 'transformers';

/** What one engine is: its defaults (written once), the weights it runs, and its limits. */
export interface EngineProfile {
  id: EngineId;
  /** Display name. */
  name: string;
  /** Tokens per sequence when none is given. */
  defaultContext: number;
  /** Most sequences the engine serves at once (llama.cpp LLAMA_MAX_SEQ), if bounded. */
  maxSequences?: number;
  /** Weight format used when the model is a config and no format is chosen (and why). */
  defaultFormat: { id: string; reason: string };
  /** Whether the engine runs weights in this format (`stored`: as the file holds them, GGUF or safetensors). */
  runs(format: WeightFormat, inventory?: InventorySource): boolean;
  /** How the engine loads formats it runs (shown with the estimate). */
  formatNote: string;
}

/** Where a prepared model's tensor list came from. */
export type InventorySource = 'synthesized' | 'safetensors' | 'gguf';

const GGUF_TYPES = /^(gguf|ggml:.+|F32|F16|BF16|Q[1-8](_[0-9A-Z]+)*|IQ[1-4](_[A-Z0-9]+)*|TQ[12]_0|MXFP4(_MOE)?)$/;
const isGguf = (f: WeightFormat, inventory?: InventorySource): boolean =>
  GGUF_TYPES.test(f.id) || (f.id === 'stored' && inventory === 'gguf');

/**
 * The engine registry. llama.cpp: common/common.h (n_ctx 4096), src/llama-cparams.h (LLAMA_MAX_SEQ 256),
 * GGUF file types only; Q4_K_M is what `ollama pull` and `llama-server -hf repo` take by default.
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
    runs: isGguf,
    formatNote: 'GGUF file types (F16, Q8_0, Q4_K_M, …)',
  },
  vllm: {
    id: 'vllm',
    name: 'vLLM',
    defaultContext: 4096,
    defaultFormat: { id: 'bf16', reason: 'the checkpoint dtype' },
    runs: (f, inventory) => !isGguf(f, inventory) || f.id === 'F16' || f.id === 'BF16' || f.id === 'F32',
    formatNote: 'safetensors checkpoints: bf16/fp16, fp8, GPTQ, AWQ, bitsandbytes',
  },
  transformers: {
    id: 'transformers',
    name: 'transformers',
    defaultContext: 4096,
    defaultFormat: { id: 'bf16', reason: 'the checkpoint dtype' },
    runs: () => true,
    formatNote: 'any checkpoint; GGUF files are dequantized to the compute dtype when loaded',
  },
};

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
  throw new InvalidInputError([
    {
      path: 'format',
      message: `${p.name} does not run ${format.id} weights (it runs ${p.formatNote}); ${others.join(' and ')} ${others.length === 1 ? 'does' : 'do'}`,
      received: format.id,
    },
  ]);
}
