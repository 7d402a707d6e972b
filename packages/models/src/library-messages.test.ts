import { fileURLToPath } from 'node:url';
import { sourceStrings } from '@vramkit/fixtures/source-strings';
import { describe, expect, it } from 'vitest';
import { chooseGgufFiles } from './gguf/choose-gguf.js';

// The loader's messages name the option (`file`, `exact`); the CLI maps options to its flags.
// hub/ and cache/ (the transport and its offline answers) are held to this by their own tests.
const strings = sourceStrings(
  fileURLToPath(new URL('.', import.meta.url)),
  (p) => p === 'hub' || p === 'cache' || p === 'catalogue/catalogue.generated.ts',
);
// The offline answer in load-model.ts belongs with the transport messages (`--offline`, `--timeout`).
const transport = (s: { file: string; text: string }) => s.file === 'load-model.ts' && /--offline\b/.test(s.text);

describe("models' user-visible strings", () => {
  it('name no command-line flag', () => {
    expect(strings.length).toBeGreaterThan(100);
    expect(strings.filter((s) => /(^|[^\w-])--[a-z]/.test(s.text) && !transport(s))).toEqual([]);
  });

  it('say nothing of seed documents or issue numbers', () => {
    expect(strings.filter((s) => /\bseeds?[- ]?\d|\bissue #?\d/i.test(s.text))).toEqual([]);
  });

  it('name the option to set when a GGUF repository holds several models, with the field path', () => {
    const files = ['m-Q4_K_M.gguf', 'm-Q8_0.gguf'];
    const err = (() => {
      try {
        chooseGgufFiles(files, {});
      } catch (e) {
        return e as Error & { path?: string };
      }
    })();
    expect(err?.path).toBe('quant');
    expect(err?.message).toMatch(/2 GGUF models; choose one by `quant` or `file`: /);
    expect(err?.message).not.toMatch(/--/);
  });
});
