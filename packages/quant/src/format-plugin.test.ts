import { describe, expect, it } from 'vitest';
import { defineFormatPlugin, formatPluginFromModule, isFormatPlugin } from './format-plugin.js';
import { gptqFamily, gptqFormat } from './gptq.js';

const format = gptqFormat({ bits: 4, groupSize: 64 });

describe('defineFormatPlugin', () => {
  it('keys formats and families by their own ids and freezes the plugin', () => {
    const p = defineFormatPlugin({ name: 'example', formats: { a: format, b: gptqFamily } });
    expect(Object.keys(p.formats).sort()).toEqual(['gptq', 'gptq-4bit-64g']);
    expect(isFormatPlugin(p)).toBe(true);
    expect(Object.isFrozen(p)).toBe(true);
    expect(p.detectors).toEqual([]);
  });

  it('refuses a plugin without a name, without formats, with a non-format entry or a non-function detector', () => {
    expect(() => defineFormatPlugin({ name: '', formats: { a: format } })).toThrowError(
      expect.objectContaining({ path: 'plugin.name' }),
    );
    expect(() => defineFormatPlugin({ name: 'x', formats: {} })).toThrowError(
      expect.objectContaining({ path: 'plugin.formats' }),
    );
    expect(() =>
      defineFormatPlugin({ name: 'x', formats: { a: { specVersion: 'v1', id: 'a' } as never } }),
    ).toThrowError(expect.objectContaining({ path: 'formats.a' }));
    expect(() => defineFormatPlugin({ name: 'x', formats: { a: format }, detectors: ['no' as never] })).toThrowError(
      expect.objectContaining({ path: 'plugin.detectors[0]' }),
    );
  });
});

describe('formatPluginFromModule', () => {
  const p = defineFormatPlugin({ name: 'example', formats: { a: format } });
  it('reads the default export, else the one named plugin export, else nothing', () => {
    expect(formatPluginFromModule({ default: p })).toBe(p);
    expect(formatPluginFromModule({ examplePlugin: p, other: 1 })).toBe(p);
    expect(formatPluginFromModule({ formats: { a: format } })).toBeUndefined();
    expect(
      formatPluginFromModule({ a: p, b: defineFormatPlugin({ name: 'y', formats: { a: format } }) }),
    ).toBeUndefined();
  });
});
