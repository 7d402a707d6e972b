import { NoSuchFormatError, prepareModel, storedFormat, synthesizeTensors, weightBytes } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { fixtureArchitecture } from '@vramkit/fixtures';
import { chooseWeightFormat, chooseWeightFormats, createFormatSetup, splitFormatList } from './choose-format.js';
import { defineWeightFormat } from './define-weight-format.js';

const architecture = fixtureArchitecture('meta-llama/Meta-Llama-3.1-8B');
const setup = createFormatSetup();
const awq = { quant_method: 'awq', bits: 4, group_size: 128, version: 'gemm', zero_point: true };
const bytesOf = (id: string) =>
  weightBytes(synthesizeTensors(architecture), setup.registry.get(id), { numLayers: architecture.layers.length }).total;

describe('chooseWeightFormat', () => {
  it('costs a GGUF file as stored, whatever was requested (the request only picked the file)', () => {
    const c = chooseWeightFormat(setup, {
      model: { architecture, inventorySource: 'gguf', name: 'x.gguf' },
      request: 'bf16',
      fallback: 'Q4_K_M',
    });
    expect(c.origin).toBe('stored');
    expect(c.format).toBe(storedFormat);
    expect(c.note).toMatch(/x\.gguf/);
  });

  it('takes the request over the checkpoint quantization_config, a family with its parameters kept whole', () => {
    const c = chooseWeightFormat(setup, {
      model: { architecture, quantizationConfig: awq },
      request: 'gptq@bits=3,group=64',
    });
    expect(c.origin).toBe('request');
    // group 64 stores twice the scales of group 128: more bytes than gptq@bits=3 alone.
    expect(weightBytes(synthesizeTensors(architecture), c.format!, { numLayers: 32 }).total).toBe(
      bytesOf('gptq@bits=3,group=64'),
    );
    expect(bytesOf('gptq@bits=3,group=64')).toBeGreaterThan(bytesOf('gptq@bits=3'));
  });

  it("reads the checkpoint's quantization_config when nothing is requested, and says so without naming a flag", () => {
    const c = chooseWeightFormat(setup, { model: { architecture, quantizationConfig: awq }, fallback: 'Q4_K_M' });
    expect(c.origin).toBe('quantization_config');
    expect(c.format!.id).toMatch(/awq/);
    expect(c.note).toMatch(/quantization_config \(quant_method awq\)/);
    expect(c.note).not.toMatch(/--/);
  });

  it("reads a PreparedModel's origin and stored quantization", () => {
    const tensors = synthesizeTensors(architecture).map((t) => ({ ...t, dtype: 'BF16' }));
    expect(
      chooseWeightFormat(setup, {
        model: prepareModel(architecture, { tensors, source: 'gguf', name: 'm.gguf' }),
        request: 'bf16',
      }),
    ).toMatchObject({ origin: 'stored', note: expect.stringMatching(/m\.gguf/) });
    const awqModel = prepareModel(architecture, { quantization: { method: 'awq', config: awq } });
    expect(chooseWeightFormat(setup, { model: awqModel }).origin).toBe('quantization_config');
    expect(chooseWeightFormat(setup, { model: prepareModel(architecture) })).toEqual({ origin: 'default' });
  });

  it('falls back to the given default, else to none (the estimator applies bf16)', () => {
    expect(chooseWeightFormat(setup, { model: { architecture }, fallback: 'Q4_K_M' })).toMatchObject({
      origin: 'default',
      format: { id: 'Q4_K_M' },
    });
    expect(chooseWeightFormat(setup, { model: { architecture } })).toEqual({ origin: 'default' });
  });

  it('refuses an unknown id with the known ones', () => {
    expect(() => chooseWeightFormat(setup, { model: { architecture }, request: 'q9_x' })).toThrow(NoSuchFormatError);
  });

  it("uses a plugin's formats and detectors from the same setup", () => {
    const half = defineWeightFormat({
      specVersion: 'v1',
      id: 'half-byte',
      description: 'test: 4 bits per element',
      bytesForTensor: (t) => ({ bytes: Math.ceil(t.shape.reduce((a, b) => a * b, 1) / 2), type: 'half' }),
    });
    const plugged = createFormatSetup([
      {
        formats: { half },
        detectors: [
          (qc) => (qc.quant_method === 'half' ? { format: half, quantMethod: 'half', parameters: {} } : undefined),
        ],
      },
    ]);
    expect(chooseWeightFormat(plugged, { model: { architecture }, request: 'half-byte' }).format).toBe(half);
    expect(
      chooseWeightFormat(plugged, { model: { architecture, quantizationConfig: { quant_method: 'half' } } }),
    ).toMatchObject({ origin: 'quantization_config', format: half });
    expect(() => chooseWeightFormat(setup, { model: { architecture }, request: 'half-byte' })).toThrow(
      NoSuchFormatError,
    );
  });
});

describe('splitFormatList', () => {
  it.each([
    ['Q4_K_M,Q8_0', ['Q4_K_M', 'Q8_0']],
    ['gptq@bits=3,group=64', ['gptq@bits=3,group=64']],
    ['gptq@bits=3,group=64,Q4_K_M', ['gptq@bits=3,group=64', 'Q4_K_M']],
    ['gptq@bits=4,desc_act, awq', ['gptq@bits=4,desc_act', 'awq']],
    [' exl2@4.65 ,, bf16', ['exl2@4.65', 'bf16']],
  ])('splits %s', (list, ids) => {
    expect(splitFormatList(list, (id) => setup.registry.has(id))).toEqual(ids);
  });
});

describe('chooseWeightFormats', () => {
  it('returns the requested list, the stored file, the declared format, or the known candidates', () => {
    expect(
      chooseWeightFormats(setup, {
        model: { architecture },
        request: 'gptq@bits=3,group=64,Q4_K_M',
        candidates: [],
      }).map((c) => c.format!.id),
    ).toHaveLength(2);
    expect(
      chooseWeightFormats(setup, {
        model: { architecture, inventorySource: 'gguf' },
        request: 'Q4_K_M',
        candidates: ['Q8_0'],
      }).map((c) => c.origin),
    ).toEqual(['stored']);
    expect(
      chooseWeightFormats(setup, { model: { architecture, quantizationConfig: awq }, candidates: ['Q8_0'] }).map(
        (c) => c.origin,
      ),
    ).toEqual(['quantization_config']);
    expect(
      chooseWeightFormats(setup, {
        model: { architecture },
        candidates: ['Q8_0', 'not-a-format', 'bf16', storedFormat],
      }).map((c) => c.format!.id),
    ).toEqual(['Q8_0', 'bf16', 'stored']);
  });
});
