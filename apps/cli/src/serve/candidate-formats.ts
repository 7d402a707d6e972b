import type { EngineId, WeightFormat } from '@vramkit/core';
import { createFormatSetup, llamaFileTypeFormats, splitFormatList } from '@vramkit/quant';

/**
 * Default candidates per engine: llama.cpp file types from F16 down to Q2_K (as file types: `F16` is the
 * F16 GGUF recipe, not the plain f16 dtype); GPU formats for vLLM and transformers.
 */
export const ENGINE_CANDIDATES: Record<EngineId, readonly (string | WeightFormat)[]> = {
  'llama.cpp': ['F16', 'Q8_0', 'Q6_K', 'Q5_K_M', 'Q4_K_M', 'Q3_K_M', 'Q2_K'].map((id) => llamaFileTypeFormats[id]!),
  vllm: ['bf16', 'fp8', 'gptq-4bit-128g', 'awq'],
  transformers: ['bf16', 'int8', 'bnb-nf4'],
};

/**
 * The built-in formats of a `--quant a,b,c` list (families keep their parameters: `gptq@bits=3,group=64`),
 * or the engine's defaults. Commands choose through `format-setup.ts` (plugins included); this is for tests.
 * @throws NoSuchFormatError for an unknown id in the list
 */
export function candidateFormats(engine: EngineId, list: string | undefined): WeightFormat[] {
  const { registry } = createFormatSetup();
  if (list) return splitFormatList(list, (id) => registry.has(id)).map((id) => registry.get(id));
  return ENGINE_CANDIDATES[engine].flatMap((c) =>
    typeof c !== 'string' ? [c] : registry.has(c) ? [registry.get(c)] : [],
  );
}
