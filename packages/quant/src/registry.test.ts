import { NoSuchFormatError, type WeightFormat } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { builtinFormats } from './builtin-formats.js';
import { defineWeightFormat } from './define-weight-format.js';
import { createFormatRegistry, parseFormatParams } from './registry.js';

const tensor = { name: 'w', role: 'attn_q' as const, kind: 'weight' as const, layer: 0, shape: [4096, 4096] };

describe('createFormatRegistry', () => {
  const registry = createFormatRegistry(builtinFormats);

  it('finds llama.cpp file types case-insensitively: q4_k_m → Q4_K_M', () => {
    expect(registry.get('q4_k_m').id).toBe('Q4_K_M');
  });

  it('builds family formats from parameters: exl2@4.65, gptq@bits=3,group=64, awq@group=64,gemv', () => {
    expect(registry.get('exl2@4.65').id).toBe('exl2@4.65');
    expect(registry.get('gptq@bits=3,group=64').id).toBe('gptq-3bit-64g');
    expect(registry.get('awq@group=64,gemv').id).toBe('awq-gemv-64g');
    expect(registry.get('ggml:q8_0').id).toBe('ggml:Q8_0');
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'constructor@bits=4', '__proto__@x'])(
    'does not resolve the Object.prototype name "%s" to a format',
    (name) => {
      expect(registry.has(name)).toBe(false);
      expect(() => registry.get(name)).toThrowError(expect.objectContaining({ code: 'NO_SUCH_FORMAT' }));
    },
  );

  it('does not resolve prototype names from a plugin record built as a plain object either', () => {
    const record = JSON.parse('{"__proto__": {"specVersion": "v1", "id": "evil"}}') as Record<string, never>;
    expect(() => createFormatRegistry(builtinFormats, record)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(createFormatRegistry(builtinFormats, {}).has('constructor')).toBe(false);
    expect(builtinFormats.constructor).toBeUndefined();
    expect(Object.hasOwn(builtinFormats, 'toString')).toBe(false);
  });

  it('throws NoSuchFormatError listing the known ids for "q9_x"', () => {
    let caught: unknown;
    try {
      registry.get('q9_x');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NoSuchFormatError);
    expect((caught as NoSuchFormatError).known).toContain('Q4_K_M');
    expect(registry.has('q9_x')).toBe(false);
  });

  it('registers nothing by import: an empty registry knows 0 formats, a composed one overrides by id', () => {
    expect(createFormatRegistry({}).ids()).toEqual([]);
    const mine = defineWeightFormat({ specVersion: 'v1', id: 'Q4_K_M', description: 'override', bytesForTensor: () => ({ bytes: 7, type: 'x' }) });
    expect(createFormatRegistry(builtinFormats, { mine }).get('Q4_K_M').bytesForTensor(tensor, { numLayers: 1 }).bytes).toBe(7);
  });

  it('rejects an entry whose specVersion is "v2" with INVALID_INPUT', () => {
    const v2 = { specVersion: 'v2', id: 'x', description: 'x', bytesForTensor: () => ({ bytes: 0, type: 'x' }) } as unknown as WeightFormat;
    expect(() => createFormatRegistry({ v2 })).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT', path: 'formats.v2' }));
  });
});

describe('parseFormatParams', () => {
  it('reads "4.65,head=8" as positional 4.65 and head 8, flags as true', () => {
    expect(Object.fromEntries(parseFormatParams('4.65,head=8,gemv'))).toEqual({ positional: '4.65', head: '8', gemv: true });
  });
});

describe('defineWeightFormat', () => {
  it('returns a frozen v1 format that passes shapes through to the spec', () => {
    const f = defineWeightFormat({ specVersion: 'v1', id: 'half', description: 'two bytes', bytesForTensor: (t) => ({ bytes: t.shape.reduce((a, b) => a * b, 2), type: 'f16' }) });
    expect(Object.isFrozen(f)).toBe(true);
    expect(f.bytesForTensor(tensor, { numLayers: 1 })).toEqual({ bytes: 33_554_432, type: 'f16' });
  });

  it('rejects an id with a space and a missing description with INVALID_INPUT naming format.id', () => {
    expect(() => defineWeightFormat({ specVersion: 'v1', id: 'my format', description: 'x', bytesForTensor: () => ({ bytes: 0, type: 'x' }) })).toThrowError(
      expect.objectContaining({ path: 'format.id' }),
    );
  });

  it('turns a NaN or fractional byte count from the spec into INVALID_INPUT instead of returning it', () => {
    const f = defineWeightFormat({ specVersion: 'v1', id: 'bad', description: 'bad', bytesForTensor: () => ({ bytes: 1.5, type: 'x' }) });
    expect(() => f.bytesForTensor(tensor, { numLayers: 1 })).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('rejects a negative dimension before the spec sees it', () => {
    const f = defineWeightFormat({ specVersion: 'v1', id: 'ok', description: 'ok', bytesForTensor: () => ({ bytes: 0, type: 'x' }) });
    expect(() => f.bytesForTensor({ ...tensor, shape: [-1, 4] }, { numLayers: 1 })).toThrowError(expect.objectContaining({ path: 'tensor.shape[0]' }));
  });
});
