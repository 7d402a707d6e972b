import { fileURLToPath } from 'node:url';
import { sourceStrings } from '@vramkit/fixtures/source-strings';
import { describe, expect, it } from 'vitest';

// The serving modules may name an engine's own flags (a launch line, vLLM's remedy "use --max-model-len"),
// which are that engine's vocabulary; vramkit's own command-line flags are the CLI's, which maps a
// library error's field path to them. llama-cpp*.ts is checked by its owner.
const strings = sourceStrings(fileURLToPath(new URL('.', import.meta.url)), (p) => p.startsWith('llama-cpp'));
const VRAMKIT_ONLY =
  /--(gpu|gpu-memory|quant|context|contexts|batch|emit|engine|fit-margin|logits|acceptance-rate|model-draft|kv-dtype|k-dtype|v-dtype|json|offline|plugin|mode)(?![\w-])/;

describe("serving's user-visible strings", () => {
  it('are read from the serving modules (the scan sees what it guards)', () => {
    expect(strings.some((s) => s.file === 'vllm.ts' && /vLLM refuses to start/.test(s.text))).toBe(true);
    expect(strings.some((s) => s.file === 'launch-lines.ts' && /--speculative-config/.test(s.text))).toBe(true);
  });

  it("name none of vramkit's own command-line flags", () => {
    expect(strings.filter((s) => VRAMKIT_ONLY.test(s.text)).map((s) => `${s.file}:${s.line} ${s.text}`)).toEqual([]);
  });
});
