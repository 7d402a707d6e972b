import type { WeightFormat } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { type ConformanceOptions, checkWeightFormatConformance } from './conformance.js';

export { CONFORMANCE_TENSORS, type ConformanceOptions, type ConformanceReport, checkWeightFormatConformance } from './conformance.js';

/**
 * Registers the vitest conformance tests every weight format must pass, five per format (see
 * {@link checkWeightFormatConformance}): the spec; integer, non-zero, deterministic sizes; strictly
 * more bytes for more rows and more experts; bits per weight near the declared figure; typed errors
 * for impossible shapes. A format that returns a constant or 0 bytes fails.
 * Call it at the top level of a test file: `describeWeightFormatConformance(myFormat)`.
 * @param format the format under test
 * @param options sample tensors, context, extra impossible tensors and the bits-per-weight tolerance
 */
export function describeWeightFormatConformance(format: WeightFormat, options: ConformanceOptions = {}): void {
  describe(`WeightFormat conformance: ${format.id}`, () => {
    let report: ReturnType<typeof checkWeightFormatConformance> | undefined;
    const get = () => {
      report ??= checkWeightFormatConformance(format, options);
      return report;
    };
    it('declares specVersion "v1", an id without spaces, a description and bitsPerWeight in (0, 64]', () => {
      expect(get().spec).toEqual([]);
    });
    it('sizes every sample tensor in integer, non-zero bytes, the same on every call, without changing it', () => {
      expect(get().sizes).toEqual([]);
    });
    it('needs strictly more bytes for 2× and 3× the rows, the experts and the vector length', () => {
      expect(get().growth).toEqual([]);
    });
    it('stores its least-stored quantized matrix near the bits per weight it declares', () => {
      expect(get().bitsPerWeight).toEqual([]);
    });
    it('throws a VramkitError with a code for negative, NaN, fractional and other impossible shapes', () => {
      expect(get().errors).toEqual([]);
    });
  });
}
