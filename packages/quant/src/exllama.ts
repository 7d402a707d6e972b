import {
  type FormatContext,
  InvalidInputError,
  type Tensor,
  type TensorBytes,
  tensorElements,
  type WeightFormat,
} from '@vramkit/core';
import { isQuantizedLinear, plainTensorBytes } from './linear-weights.js';
import { parseFormatParams, type WeightFormatFamily } from './registry.js';

/** EXL2/EXL3 options: the average bits per weight the converter targets, and the head's bits. */
export interface ExllamaOptions {
  version: 'exl2' | 'exl3';
  /** Target bits per weight of the decoder linears (`-b`, e.g. 4.65). */
  bitsPerWeight: number;
  /** Bits of lm_head (`-hb`); exllamav2/exllamav3 convert default 6. */
  headBits?: number;
}

/**
 * ExLlamaV2/V3 at a target bpw: the converter mixes per-layer settings to hit the average, so each
 * decoder linear is sized at ⌈elements × bpw / 8⌉ (an approximation of the mix, exact in total up to the
 * converter's own rounding); lm_head at `headBits`; embeddings and norms f16 (exllamav2 keeps the
 * embedding table in system memory at runtime, so its GPU share is 0 — counted here as checkpoint bytes).
 * @throws InvalidInputError for a bpw outside (1, 16]
 */
export function exllamaFormat(options: ExllamaOptions): WeightFormat {
  const { version, bitsPerWeight } = options;
  const head = options.headBits ?? 6;
  for (const [name, v] of [
    ['bitsPerWeight', bitsPerWeight],
    ['headBits', head],
  ] as const) {
    if (!(Number.isFinite(v) && v > 1 && v <= 16)) {
      throw new InvalidInputError([
        { path: `format.${name}`, message: `must be a number in (1, 16], got ${v}`, received: v },
      ]);
    }
  }
  return {
    specVersion: 'v1',
    id: `${version}@${bitsPerWeight}`,
    description: `${version.toUpperCase()} at ${bitsPerWeight} bits/weight (head ${head}); a target average, sizes ±2%`,
    bitsPerWeight,
    bytesForTensor(t: Tensor, _ctx: FormatContext): TensorBytes {
      if (t.role === 'output' && t.kind === 'weight') {
        return { bytes: Math.ceil((tensorElements(t) * head) / 8), type: `${version}-head-${head}bpw` };
      }
      if (!isQuantizedLinear(t)) return plainTensorBytes(t, 2, 'f16');
      return { bytes: Math.ceil((tensorElements(t) * bitsPerWeight) / 8), type: `${version}-${bitsPerWeight}bpw` };
    },
  };
}

function family(version: 'exl2' | 'exl3'): WeightFormatFamily {
  return {
    specVersion: 'v1',
    kind: 'family',
    id: version,
    description: `${version.toUpperCase()} at a target bits/weight`,
    parameters: '<bpw>[,head=<bits>]',
    example: '4.65',
    create(params) {
      const p = parseFormatParams(params);
      const bpw = p.get('positional') ?? p.get('bpw');
      if (bpw === undefined || bpw === true) {
        throw new InvalidInputError([{ path: 'format', message: `${version} needs a bits/weight: ${version}@4.65` }]);
      }
      const head = p.get('head');
      return exllamaFormat({
        version,
        bitsPerWeight: Number(bpw),
        ...(typeof head === 'string' ? { headBits: Number(head) } : {}),
      });
    },
  };
}

/** `exl2@4.65`, `exl2@4.65,head=8`. */
export const exl2Family = family('exl2');
/** `exl3@4`, `exl3@3.5,head=6`. */
export const exl3Family = family('exl3');
