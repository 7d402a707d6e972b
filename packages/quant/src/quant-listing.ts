import { type Tensor, tensorElements, VramkitError, type WeightFormat } from '@vramkit/core';
import { builtinFormats } from './builtin-formats.js';
import { createFormatRegistry, type FormatEntry, type FormatRegistry, isFormatFamily } from './registry.js';

/** One row of `vramkit quant list`. */
export interface QuantListingRow {
  /** Id to pass to `--quant` (families as `<id>@<example>`). */
  id: string;
  description: string;
  /** The format's nominal bits/weight, when it states one. */
  nominalBitsPerWeight: number | null;
  /**
   * Bits per weight measured on the reference tensor (bytes × 8 / elements), scales and zeros
   * included; null for formats that need more than a shape (`gguf` reads the types from a header).
   */
  bitsPerWeight: number | null;
  /** The storage type chosen for the reference tensor, or null. */
  type: string | null;
  /** `family` when the id takes parameters (`parameters` documents them). */
  kind: 'format' | 'family';
  parameters?: string;
}

/**
 * The reference tensor of the listing: a 4096×4096 q_proj in layer 12 of 32 — a mid-stack
 * attention matrix, which every recipe quantizes at its base type.
 */
export const LISTING_REFERENCE_TENSOR: Tensor = {
  name: 'model.layers.12.self_attn.q_proj.weight',
  role: 'attn_q',
  kind: 'weight',
  layer: 12,
  shape: [4096, 4096],
  module: 'q_proj',
};

/**
 * Every format of a registry with its bits/weight on {@link LISTING_REFERENCE_TENSOR}.
 * @param registry formats to list; default the built-ins
 * @returns rows in registry order
 */
export function quantListing(registry: FormatRegistry = createFormatRegistry(builtinFormats)): QuantListingRow[] {
  return registry.entries().map((entry: FormatEntry) => {
    const format: WeightFormat = isFormatFamily(entry) ? entry.create(entry.example) : entry;
    let r: { bytes: number; type: string } | null = null;
    try {
      r = format.bytesForTensor(LISTING_REFERENCE_TENSOR, { numLayers: 32 });
    } catch (e) {
      if (!VramkitError.isInstance(e)) throw e;
    }
    const row: QuantListingRow = {
      id: isFormatFamily(entry) ? `${entry.id}@${entry.example}` : entry.id,
      description: isFormatFamily(entry) ? `${entry.description} (${entry.parameters})` : entry.description,
      nominalBitsPerWeight: format.bitsPerWeight ?? null,
      bitsPerWeight: r ? (r.bytes * 8) / tensorElements(LISTING_REFERENCE_TENSOR) : null,
      type: r ? r.type : null,
      kind: isFormatFamily(entry) ? 'family' : 'format',
    };
    if (isFormatFamily(entry)) row.parameters = entry.parameters;
    return row;
  });
}
