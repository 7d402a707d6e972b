import {
  type FormatContext,
  InvalidInputError,
  parseOrThrow,
  type Tensor,
  type TensorBytes,
  type WeightFormat,
} from '@vramkit/core';
import * as v from 'valibot';

/** Format ids: letters, digits and `_ . : + -` (no spaces, no `@`, which separates parameters). */
const ID = /^[A-Za-z0-9][A-Za-z0-9_.:+-]*$/;

const WeightFormatSpecSchema = v.object({
  specVersion: v.literal('v1', 'specVersion must be "v1" (the only WeightFormat version this @vramkit/quant reads)'),
  id: v.pipe(
    v.string(),
    v.regex(ID, 'id must start with a letter or digit, then letters, digits, _ . : + - (no spaces or @)'),
  ),
  description: v.pipe(v.string(), v.minLength(1, 'description must say what the format stores')),
  bitsPerWeight: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(64))),
  bytesForTensor: v.function('bytesForTensor must be a function (tensor, ctx) => { bytes, type }'),
});

/** What `defineWeightFormat` accepts: a `WeightFormat` v1 object. */
export type WeightFormatSpec = WeightFormat;

/**
 * Checks a tensor's shape the way every format needs it: integer, non-negative dimensions.
 * @throws InvalidInputError naming `tensor.shape[i]`
 */
export function assertTensorShape(tensor: Tensor): void {
  if (!Array.isArray(tensor.shape)) {
    throw new InvalidInputError([
      {
        path: 'tensor.shape',
        message: `"${tensor.name}": shape must be an array of dimensions`,
        received: tensor.shape,
      },
    ]);
  }
  for (const [i, d] of tensor.shape.entries()) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new InvalidInputError([
        {
          path: `tensor.shape[${i}]`,
          message: `"${tensor.name}": dimensions must be non-negative integers, got ${String(d)}`,
          received: d,
        },
      ]);
    }
  }
}

/**
 * Builds a weight format from a spec, validating it (valibot) and wrapping `bytesForTensor` so that
 * bad shapes are rejected before the format sees them and a result that is not an integer byte count
 * with a type name becomes a typed error instead of a NaN downstream.
 * @param spec `{ specVersion: 'v1', id, description, bitsPerWeight?, bytesForTensor }`
 * @returns a frozen `WeightFormat`
 * @throws InvalidInputError (path `format.<field>`) when the spec is malformed
 */
export function defineWeightFormat(spec: WeightFormatSpec): WeightFormat {
  const parsed = parseOrThrow(WeightFormatSpecSchema, spec, 'format');
  const inner = spec.bytesForTensor.bind(spec);
  const format: WeightFormat = {
    specVersion: 'v1',
    id: parsed.id,
    description: parsed.description,
    ...(parsed.bitsPerWeight === undefined ? {} : { bitsPerWeight: parsed.bitsPerWeight }),
    bytesForTensor(tensor: Tensor, ctx: FormatContext): TensorBytes {
      assertTensorShape(tensor);
      const r = inner(tensor, ctx);
      if (!r || !Number.isSafeInteger(r.bytes) || r.bytes < 0 || typeof r.type !== 'string' || r.type.length === 0) {
        throw new InvalidInputError([
          {
            path: `format.${parsed.id}.bytesForTensor`,
            message: `returned ${JSON.stringify(r)} for "${tensor.name}"; a format must return { bytes: non-negative integer, type: non-empty string }`,
            received: r,
          },
        ]);
      }
      return { bytes: r.bytes, type: r.type };
    },
  };
  return Object.freeze(format);
}
