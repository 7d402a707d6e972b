import { type FormatContext, type Tensor, VramkitError, type WeightFormat } from '@vramkit/core';
import { describe, expect, it } from 'vitest';

/** Options of {@link describeWeightFormatConformance}. */
export interface ConformanceOptions {
  /** Tensors the format must size; default: a small llama-like layer with 4096-wide matrices. */
  tensors?: readonly Tensor[];
  /** Context passed to every call; default `{ numLayers: 32 }`. */
  ctx?: FormatContext;
  /** Extra tensors the format must refuse with a VramkitError (besides negative/NaN/fractional dims). */
  impossible?: readonly Tensor[];
}

/** The default sample: a layer of a 4096-wide llama-like model plus embeddings, norms and an expert stack. */
export const CONFORMANCE_TENSORS: readonly Tensor[] = [
  { name: 'model.embed_tokens.weight', role: 'token_embd', kind: 'weight', shape: [32768, 4096], module: 'embed_tokens' },
  { name: 'model.layers.0.input_layernorm.weight', role: 'attn_norm', kind: 'norm', layer: 0, shape: [4096] },
  { name: 'model.layers.0.self_attn.q_proj.weight', role: 'attn_q', kind: 'weight', layer: 0, shape: [4096, 4096], module: 'q_proj' },
  { name: 'model.layers.0.self_attn.v_proj.weight', role: 'attn_v', kind: 'weight', layer: 0, shape: [1024, 4096], module: 'v_proj' },
  { name: 'model.layers.0.self_attn.q_proj.bias', role: 'attn_q', kind: 'bias', layer: 0, shape: [4096], module: 'q_proj' },
  { name: 'model.layers.0.mlp.down_proj.weight', role: 'ffn_down', kind: 'weight', layer: 0, shape: [4096, 14336], module: 'down_proj' },
  { name: 'model.layers.1.mlp.experts.down_proj', role: 'ffn_down_exps', kind: 'weight', layer: 1, shape: [8, 4096, 1024], module: 'down_proj' },
  { name: 'model.norm.weight', role: 'output_norm', kind: 'norm', shape: [4096] },
  { name: 'lm_head.weight', role: 'output', kind: 'weight', shape: [32768, 4096], module: 'lm_head' },
];

function scaled(t: Tensor, k: number): Tensor {
  // Scale the outermost dimension: more rows (or experts) never need fewer bytes.
  const shape = [...t.shape];
  shape[0] = (shape[0] ?? 1) * k;
  return { ...t, shape };
}

/**
 * Registers the vitest conformance tests every weight format must pass: a v1 spec with an id,
 * integer non-negative bytes, deterministic results and types, bytes monotonic in the element count,
 * no mutation of inputs, and typed errors (VramkitError) for impossible shapes.
 * Call it at the top level of a test file: `describeWeightFormatConformance(myFormat)`.
 * @param format the format under test
 * @param options sample tensors, context and extra impossible tensors
 */
export function describeWeightFormatConformance(format: WeightFormat, options: ConformanceOptions = {}): void {
  const tensors = options.tensors ?? CONFORMANCE_TENSORS;
  const ctx = options.ctx ?? { numLayers: 32 };
  describe(`WeightFormat conformance: ${format.id}`, () => {
    it('declares specVersion "v1", a non-empty id without spaces and a description', () => {
      expect(format.specVersion).toBe('v1');
      expect(format.id).toMatch(/^\S+$/);
      expect(format.description.length).toBeGreaterThan(0);
      expect(typeof format.bytesForTensor).toBe('function');
    });

    it('states bitsPerWeight, when it does, as a finite number in (0, 64]', () => {
      if (format.bitsPerWeight === undefined) return;
      expect(Number.isFinite(format.bitsPerWeight)).toBe(true);
      expect(format.bitsPerWeight).toBeGreaterThan(0);
      expect(format.bitsPerWeight).toBeLessThanOrEqual(64);
    });

    it.each(tensors.map((t) => [t.name, t] as const))('sizes %s in integer, non-negative bytes with a type name', (_, t) => {
      const r = format.bytesForTensor(t, ctx);
      expect(Number.isSafeInteger(r.bytes)).toBe(true);
      expect(r.bytes).toBeGreaterThanOrEqual(0);
      expect(typeof r.type).toBe('string');
      expect(r.type.length).toBeGreaterThan(0);
    });

    it('answers the same bytes and type for the same tensor, and leaves the tensor unchanged', () => {
      for (const t of tensors) {
        const frozen = Object.freeze({ ...t, shape: Object.freeze([...t.shape]) }) as Tensor;
        const a = format.bytesForTensor(frozen, ctx);
        const b = format.bytesForTensor({ ...t, shape: [...t.shape] }, ctx);
        expect(b).toEqual(a);
        expect(frozen.shape).toEqual(t.shape);
      }
    });

    it('never needs fewer bytes for 2×, 3× or 4× the rows of a tensor', () => {
      for (const t of tensors) {
        let prev = format.bytesForTensor(t, ctx).bytes;
        for (const k of [2, 3, 4]) {
          const next = format.bytesForTensor(scaled(t, k), ctx).bytes;
          expect(next).toBeGreaterThanOrEqual(prev);
          prev = next;
        }
      }
    });

    const sample = tensors.find((t) => t.kind === 'weight' && t.shape.length === 2) ?? tensors[0];
    const bad: Tensor[] = sample
      ? [
          { ...sample, name: 'negative', shape: [-1, sample.shape[1] ?? 1] },
          { ...sample, name: 'nan', shape: [Number.NaN, sample.shape[1] ?? 1] },
          { ...sample, name: 'fraction', shape: [1.5, sample.shape[1] ?? 1] },
        ]
      : [];
    it.each([...bad, ...(options.impossible ?? [])].map((t) => [t.name, t] as const))(
      'throws a VramkitError with a code and a path for the impossible tensor %s',
      (_, t) => {
        let caught: unknown;
        try {
          format.bytesForTensor(t, ctx);
        } catch (e) {
          caught = e;
        }
        expect(VramkitError.isInstance(caught)).toBe(true);
        expect((caught as VramkitError).code).toMatch(/^[A-Z_]+$/);
      },
    );
  });
}
