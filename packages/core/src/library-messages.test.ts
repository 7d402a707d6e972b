import { fileURLToPath } from 'node:url';
import { sourceStrings } from '@vramkit/fixtures/source-strings';
import { describe, expect, it } from 'vitest';

// Core's messages name the field (`workload.context`); the CLI maps fields to its flags (flag-paths.ts).
// serving/ and training/ are checked by their own owners' tests: engine flags (vLLM's --max-model-len,
// llama.cpp's --parallel) are those engines' vocabulary, which an engine profile may name.
const strings = sourceStrings(fileURLToPath(new URL('.', import.meta.url)), (p) => p === 'serving' || p === 'training');

describe("core's user-visible strings", () => {
  it('are read from every library module (the scan sees the messages it guards)', () => {
    expect(
      strings.some((s) => s.file === 'model/prepare-model.ts' && /must be config, safetensors or gguf/.test(s.text)),
    ).toBe(true);
  });

  it('name no command-line flag', () => {
    expect(strings.filter((s) => /(^|[^\w-])--[a-z]/.test(s.text))).toEqual([]);
  });

  it('say nothing of seed documents or issue numbers', () => {
    expect(strings.filter((s) => /\bseeds?[- ]?\d|\bissue #?\d/i.test(s.text))).toEqual([]);
  });
});
