import {
  defineWeightFormat,
  type FormatContext,
  InvalidInputError,
  isQuantizedLinear,
  linearDims,
  type Tensor,
  type TensorBytes,
  tensorElements,
  type WeightFormat,
} from '@vramkit/quant';

/** AQLM parameters, as transformers `AqlmConfig` / the AQLM repo name them. */
export interface AqlmOptions {
  /** `in_group_size`: input features encoded together by one code per codebook. */
  inGroupSize: number;
  /** `out_group_size`: output features sharing a code. */
  outGroupSize: number;
  /** `num_codebooks`: codes summed per group (additive quantization). */
  numCodebooks: number;
  /** `nbits_per_codebook`: bits of each code; a codebook holds 2^nbits entries. */
  nbitsPerCodebook: number;
  /** `linear_weights_not_to_quantize`: full tensor names kept in 16 bits (default embed_tokens and lm_head). */
  notQuantized?: readonly string[];
}

// aqlm/utils.py get_int_dtype: codes are stored in the smallest signed integer holding nbits.
function codeBytes(nbits: number): number {
  if (nbits <= 8) return 1;
  if (nbits <= 16) return 2;
  if (nbits <= 32) return 4;
  return 8;
}

function check(name: string, value: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new InvalidInputError([
      { path: `format.${name}`, message: `must be an integer in [1, ${max}], got ${value}`, received: value },
    ]);
  }
  return value;
}

/**
 * Bytes of one AQLM linear of `out × in`, from aqlm/inference.py `QuantizedLinear` (Vahe1994/AQLM;
 * the module transformers integrations/aqlm.py swaps in):
 * codes int [out/og, in/ig, M] (1, 2, 4 or 8 bytes by nbits), codebooks f16 [M, 2^nbits, og, ig],
 * scales f16 [out/og, 1, 1, 1].
 * @throws InvalidInputError when in/out are not multiples of the group sizes (the module asserts it)
 */
export function aqlmLinearBytes(outFeatures: number, inFeatures: number, o: AqlmOptions): number {
  if (inFeatures % o.inGroupSize !== 0 || outFeatures % o.outGroupSize !== 0) {
    throw new InvalidInputError([
      {
        path: 'tensor.shape',
        message: `AQLM needs in_features % ${o.inGroupSize} == 0 and out_features % ${o.outGroupSize} == 0; got [${outFeatures}, ${inFeatures}]`,
      },
    ]);
  }
  const outGroups = outFeatures / o.outGroupSize;
  const inGroups = inFeatures / o.inGroupSize;
  const codes = outGroups * inGroups * o.numCodebooks * codeBytes(o.nbitsPerCodebook);
  const codebooks = o.numCodebooks * 2 ** o.nbitsPerCodebook * o.outGroupSize * o.inGroupSize * 2;
  const scales = outGroups * 2;
  return codes + codebooks + scales;
}

/**
 * The AQLM weight format for a scheme (`aqlm-1x16` = 1 codebook of 16 bits over groups of 8 inputs,
 * ≈2 bits/weight; `aqlm-2x8` = 2 codebooks of 8 bits). Linear layers are AQLM; embeddings, lm_head,
 * routers, norms and biases stay f16. MoE experts are one AQLM module per expert.
 * @param options the scheme
 * @returns a validated `WeightFormat` (built with `defineWeightFormat`)
 * @throws InvalidInputError for impossible parameters
 */
export function aqlmFormat(options: AqlmOptions): WeightFormat {
  const o: AqlmOptions = {
    inGroupSize: check('inGroupSize', options.inGroupSize, 4096),
    outGroupSize: check('outGroupSize', options.outGroupSize, 4096),
    numCodebooks: check('numCodebooks', options.numCodebooks, 64),
    nbitsPerCodebook: check('nbitsPerCodebook', options.nbitsPerCodebook, 24),
    notQuantized: options.notQuantized ?? ['model.embed_tokens.weight', 'lm_head.weight'],
  };
  const suffix = o.inGroupSize === 8 && o.outGroupSize === 1 ? '' : `-${o.outGroupSize}x${o.inGroupSize}`;
  return defineWeightFormat({
    specVersion: 'v1',
    id: `aqlm-${o.numCodebooks}x${o.nbitsPerCodebook}${suffix}`,
    description: `AQLM ${o.numCodebooks} codebook(s) × ${o.nbitsPerCodebook} bits over groups of ${o.outGroupSize}×${o.inGroupSize}; f16 codebooks and per-row scales`,
    bitsPerWeight: (o.numCodebooks * o.nbitsPerCodebook) / (o.inGroupSize * o.outGroupSize),
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (!isQuantizedLinear(t) || (o.notQuantized ?? []).includes(t.name)) {
        return { bytes: tensorElements(t) * 2, type: 'f16' };
      }
      const { experts, out, in: k } = linearDims(t);
      return { bytes: experts * aqlmLinearBytes(out, k, o), type: `aqlm-${o.numCodebooks}x${o.nbitsPerCodebook}` };
    },
  });
}
