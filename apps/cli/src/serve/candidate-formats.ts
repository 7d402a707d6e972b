import { type EngineId, engineProfile, type WeightFormat } from '@vramkit/core';
import { createFormatSetup, llamaFileTypeFormats, splitFormatList } from '@vramkit/quant';

/**
 * The engine profile's default candidates (core's `candidateFormats`) as weight formats: llama.cpp file
 * types as their GGUF recipes (`F16` is the F16 file type, not the plain f16 dtype); registry ids
 * otherwise, resolved by the command's format setup (plugins included).
 */
export function engineCandidates(engine: EngineId): readonly (string | WeightFormat)[] {
  const c = engineProfile(engine).candidateFormats;
  return c.kind === 'gguf-file-type' ? c.ids.map((id) => llamaFileTypeFormats[id] ?? id) : c.ids;
}

/**
 * The built-in formats of a `--quant a,b,c` list (families keep their parameters: `gptq@bits=3,group=64`),
 * or the engine's defaults. Commands choose through `format-setup.ts` (plugins included); this is for tests.
 * @throws NoSuchFormatError for an unknown id in the list
 */
export function candidateFormats(engine: EngineId, list: string | undefined): WeightFormat[] {
  const { registry } = createFormatSetup();
  if (list) return splitFormatList(list, (id) => registry.has(id)).map((id) => registry.get(id));
  return engineCandidates(engine).flatMap((c) =>
    typeof c !== 'string' ? [c] : registry.has(c) ? [registry.get(c)] : [],
  );
}
