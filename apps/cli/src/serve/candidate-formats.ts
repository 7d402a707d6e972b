import { type EngineId, plainFormats, type WeightFormat } from '@vramkit/core';
import { storedFormat } from '@vramkit/models';
import { builtinFormats, llamaFileTypeFormats } from '@vramkit/quant';
import { resolveFormat } from '../formats.js';

/** Every concrete (non-family) format the CLI knows, keyed by id. */
export function knownFormats(): Record<string, WeightFormat> {
  const out: Record<string, WeightFormat> = { ...llamaFileTypeFormats };
  for (const [id, f] of Object.entries(builtinFormats)) if ('bytesForTensor' in f) out[id] = f as WeightFormat;
  return out;
}

/** Default candidates per engine: llama.cpp file types from F16 down to Q2_K; GPU formats for vLLM and transformers. */
const DEFAULTS: Record<EngineId, readonly string[]> = {
  'llama.cpp': ['F16', 'Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q3_K_M', 'Q2_K'],
  vllm: ['bf16', 'fp8', 'gptq-4bit-128g', 'awq'],
  transformers: ['bf16', 'int8', 'bnb-nf4'],
};

/**
 * The formats a `fit` tries: the `--quant a,b,c` list; for a GGUF file, the file as stored (its own
 * tensor types); otherwise the engine's defaults (those the registry has).
 * @throws NoSuchFormatError for an unknown id in the list
 */
export function candidateFormats(engine: EngineId, list: string | undefined, inventory?: 'synthesized' | 'safetensors' | 'gguf'): WeightFormat[] {
  const known = knownFormats();
  if (list) return list.split(',').map((id) => resolveFormat(id.trim(), known));
  if (inventory === 'gguf') return [storedFormat];
  return DEFAULTS[engine].flatMap((id) => {
    const f = known[id] ?? (plainFormats as Record<string, WeightFormat>)[id];
    return f ? [f] : [];
  });
}
