import { fileURLToPath } from 'node:url';
import { sourceStrings } from '@vramkit/fixtures/source-strings';
import { describe, expect, it } from 'vitest';

// Format errors name the field (`format.gptq.bits`); the CLI maps fields to its flags.
const strings = sourceStrings(fileURLToPath(new URL('.', import.meta.url)));

describe("quant's user-visible strings", () => {
  it('name no command-line flag and nothing of seed documents or issue numbers', () => {
    expect(
      strings.some((s) => s.file === 'define-weight-format.ts' && /bytesForTensor must be a function/.test(s.text)),
    ).toBe(true);
    expect(strings.filter((s) => /(^|[^\w-])--[a-z]|\bseeds?[- ]?\d|\bissue #?\d/i.test(s.text))).toEqual([]);
  });
});
