import { defineFormatPlugin, type FormatPluginV1, parseFormatParams, type WeightFormatFamily } from '@vramkit/quant';
import { aqlmFormat } from './aqlm-format.js';
import { detectAqlm } from './detect-aqlm.js';

export { type AqlmOptions, aqlmFormat, aqlmLinearBytes } from './aqlm-format.js';
export { detectAqlm } from './detect-aqlm.js';

/** `aqlm@codebooks=2,nbits=8,in=8,out=1`. */
export const aqlmFamily: WeightFormatFamily = {
  specVersion: 'v1',
  kind: 'family',
  id: 'aqlm',
  description: 'AQLM with explicit parameters',
  parameters: 'codebooks=<M>,nbits=<b>,in=<ig>,out=<og>',
  example: 'codebooks=1,nbits=16,in=8,out=1',
  create(params) {
    const p = parseFormatParams(params);
    const num = (k: string, d: number) => {
      const v = p.get(k);
      return typeof v === 'string' ? Number(v) : d;
    };
    return aqlmFormat({
      numCodebooks: num('codebooks', 1),
      nbitsPerCodebook: num('nbits', 16),
      inGroupSize: num('in', 8),
      outGroupSize: num('out', 1),
    });
  },
};

/**
 * Creates this package's plugin: the two published AQLM schemes (`aqlm-1x16`, `aqlm-2x8`), the
 * parameterized family (`aqlm@codebooks=2,nbits=8,in=8,out=1`) and the `quantization_config` detector.
 * Use it as `createFormatRegistry(builtinFormats, createAqlmFormats().formats)`; the default export is
 * the same plugin, which `vramkit --plugin @vramkit/quant-aqlm` reads.
 */
export function createAqlmFormats(): FormatPluginV1 {
  return defineFormatPlugin({
    name: '@vramkit/quant-aqlm',
    formats: {
      'aqlm-1x16': aqlmFormat({ numCodebooks: 1, nbitsPerCodebook: 16, inGroupSize: 8, outGroupSize: 1 }),
      'aqlm-2x8': aqlmFormat({ numCodebooks: 2, nbitsPerCodebook: 8, inGroupSize: 8, outGroupSize: 1 }),
      aqlm: aqlmFamily,
    },
    detectors: [detectAqlm],
  });
}

/** The plugin, for `vramkit --plugin @vramkit/quant-aqlm` and `formatPluginFromModule`. */
export default createAqlmFormats();
