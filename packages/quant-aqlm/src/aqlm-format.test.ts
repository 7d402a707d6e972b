import {
  builtinFormats,
  createFormatRegistry,
  formatFromQuantizationConfig,
  formatPluginFromModule,
} from '@vramkit/quant';
import { describeWeightFormatConformance } from '@vramkit/quant/testing';
import { describe, expect, it } from 'vitest';
import * as mod from './index.js';
import plugin, { aqlmFamily, aqlmFormat, aqlmLinearBytes, createAqlmFormats } from './index.js';

const registry = createFormatRegistry(builtinFormats, plugin.formats);
const f1x16 = registry.get('aqlm-1x16');
const f2x8 = registry.get('aqlm-2x8');

const qProj = {
  name: 'model.layers.0.self_attn.q_proj.weight',
  role: 'attn_q' as const,
  kind: 'weight' as const,
  layer: 0,
  shape: [4096, 4096],
};
const ctx = { numLayers: 32 };

// The conformance suite every format package runs (from @vramkit/quant/testing).
describeWeightFormatConformance(f1x16);
describeWeightFormatConformance(f2x8);
describeWeightFormatConformance(aqlmFamily.create(aqlmFamily.example));

describe('aqlmFormat', () => {
  it('sizes a Llama-2-7B q_proj in 1x16 at 5,251,072 bytes: codes int16 4096×512×1, codebook f16 1×65536×1×8, scales f16 4096', () => {
    expect(f1x16.bytesForTensor(qProj, ctx)).toEqual({ bytes: 4_194_304 + 1_048_576 + 8_192, type: 'aqlm-1x16' });
  });

  it('sizes the same matrix in 2x8 at 4,210,688 bytes: codes int8 4096×512×2, codebooks f16 2×256×1×8', () => {
    expect(aqlmLinearBytes(4096, 4096, { numCodebooks: 2, nbitsPerCodebook: 8, inGroupSize: 8, outGroupSize: 1 })).toBe(
      4_194_304 + 8_192 + 8_192,
    );
  });

  it('states 2 bits/weight for 1x16 and 2x8 over groups of 8', () => {
    expect(f1x16.bitsPerWeight).toBe(2);
    expect(f2x8.bitsPerWeight).toBe(2);
  });

  it('keeps embed_tokens and lm_head in f16 and throws INVALID_INPUT for in_features 4100 (not a multiple of 8)', () => {
    const lm = { name: 'lm_head.weight', role: 'output' as const, kind: 'weight' as const, shape: [32000, 4096] };
    expect(f1x16.bytesForTensor(lm, ctx)).toEqual({ bytes: 32000 * 4096 * 2, type: 'f16' });
    expect(() => f1x16.bytesForTensor({ ...qProj, shape: [4096, 4100] }, ctx)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('rejects 0 codebooks with INVALID_INPUT naming format.numCodebooks', () => {
    expect(() => aqlmFormat({ numCodebooks: 0, nbitsPerCodebook: 16, inGroupSize: 8, outGroupSize: 1 })).toThrowError(
      expect.objectContaining({ path: 'format.numCodebooks' }),
    );
  });
});

describe('createAqlmFormats', () => {
  it('is the default export, found by formatPluginFromModule, and names its package', () => {
    expect(formatPluginFromModule(mod)).toBe(plugin);
    expect(createAqlmFormats()).toMatchObject({
      specVersion: 'v1',
      kind: 'format-plugin',
      name: '@vramkit/quant-aqlm',
    });
    expect(Object.keys(plugin.formats).sort()).toEqual(['aqlm', 'aqlm-1x16', 'aqlm-2x8']);
  });

  it('composes with the built-ins: createFormatRegistry(builtinFormats, plugin.formats) finds aqlm-1x16 and aqlm@codebooks=2,nbits=8', () => {
    expect(registry.get('AQLM-1x16').id).toBe('aqlm-1x16');
    expect(registry.get('aqlm@codebooks=2,nbits=8').id).toBe('aqlm-2x8');
  });
});

describe('detectAqlm', () => {
  it('detects ISTA-DASLab/Llama-2-7b-AQLM-2Bit-1x16-hf quantization_config as aqlm-1x16', () => {
    // transformers AqlmConfig.to_dict() as in that repo's config.json (trimmed list of unquantized weights).
    const qc = {
      quant_method: 'aqlm',
      in_group_size: 8,
      out_group_size: 1,
      num_codebooks: 1,
      nbits_per_codebook: 16,
      linear_weights_not_to_quantize: ['model.embed_tokens.weight', 'lm_head.weight'],
    };
    expect(formatFromQuantizationConfig(qc, undefined, { detectors: plugin.detectors }).format.id).toBe('aqlm-1x16');
  });
});
