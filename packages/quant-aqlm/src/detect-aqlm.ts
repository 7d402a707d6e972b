import type { Architecture, DetectedFormat, QuantizationConfig } from '@vramkit/quant';
import { aqlmFormat } from './aqlm-format.js';

/**
 * Reads an AQLM `quantization_config` (transformers `AqlmConfig.to_dict()`: quant_method "aqlm",
 * in_group_size, out_group_size, num_codebooks, nbits_per_codebook, linear_weights_not_to_quantize).
 * Pass it to `formatFromQuantizationConfig(config, arch, { detectors: [detectAqlm] })`.
 * @returns the detected format, or undefined when the block is not AQLM
 */
export function detectAqlm(config: QuantizationConfig, _arch?: Architecture): DetectedFormat | undefined {
  if (String(config.quant_method).toLowerCase() !== 'aqlm') return undefined;
  const n = (k: string, d: number) => (typeof config[k] === 'number' ? (config[k] as number) : d);
  const parameters = {
    in_group_size: n('in_group_size', 8),
    out_group_size: n('out_group_size', 1),
    num_codebooks: n('num_codebooks', 1),
    nbits_per_codebook: n('nbits_per_codebook', 16),
  };
  const skip = Array.isArray(config.linear_weights_not_to_quantize)
    ? (config.linear_weights_not_to_quantize as unknown[]).filter((x): x is string => typeof x === 'string')
    : undefined;
  return {
    format: aqlmFormat({
      inGroupSize: parameters.in_group_size,
      outGroupSize: parameters.out_group_size,
      numCodebooks: parameters.num_codebooks,
      nbitsPerCodebook: parameters.nbits_per_codebook,
      ...(skip ? { notQuantized: skip } : {}),
    }),
    quantMethod: 'aqlm',
    parameters,
  };
}
