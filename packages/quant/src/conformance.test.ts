import type { Tensor, WeightFormat } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { builtinFormats } from './builtin-formats.js';
import { checkWeightFormatConformance } from './conformance.js';
import { gptqFormat } from './gptq.js';
import { linearDims } from './linear-weights.js';
import { isFormatFamily } from './registry.js';
import { describeWeightFormatConformance } from './testing.js';

const STORED_SAMPLE: readonly Tensor[] = [
  { name: 'blk.0.attn_q.weight', role: 'attn_q', kind: 'weight', layer: 0, shape: [4096, 4096], dtype: 'Q4_K' },
  { name: 'blk.0.ffn_down_exps.weight', role: 'ffn_down_exps', kind: 'weight', layer: 0, shape: [8, 4096, 1024], dtype: 'Q6_K' },
  { name: 'blk.0.attn_norm.weight', role: 'attn_norm', kind: 'norm', layer: 0, shape: [4096], dtype: 'F32' },
  { name: 'model.layers.0.self_attn.q_proj.weight', role: 'attn_q', kind: 'weight', layer: 0, shape: [1024, 4096], dtype: 'BF16' },
];

// Every built-in format (families at their example parameters) passes the suite format packages run.
for (const entry of Object.values(builtinFormats)) {
  const format = isFormatFamily(entry) ? entry.create(entry.example) : entry;
  describeWeightFormatConformance(format, format.id === 'stored' ? { tensors: STORED_SAMPLE } : {});
}

const gptq = gptqFormat({ bits: 4, groupSize: 128 });
const broken = (id: string, bytesForTensor: WeightFormat['bytesForTensor']): WeightFormat => ({
  specVersion: 'v1',
  id,
  description: 'a deliberately wrong format',
  bitsPerWeight: 4.15625,
  bytesForTensor,
});

describe('checkWeightFormatConformance', () => {
  it('passes a real format (GPTQ 4-bit, group 128)', () => {
    expect(Object.values(checkWeightFormatConformance(gptq)).flat()).toEqual([]);
  });

  it('fails a format that returns 0 bytes', () => {
    const r = checkWeightFormatConformance(broken('zero', () => ({ bytes: 0, type: 'x' })));
    expect(r.sizes.join('\n')).toMatch(/0 bytes for/);
  });

  it('fails a format that returns a constant', () => {
    const r = checkWeightFormatConformance(broken('constant', () => ({ bytes: 1_000_000, type: 'x' })));
    expect(r.growth.join('\n')).toMatch(/not more than 1000000/);
  });

  it('fails GPTQ with the experts factor dropped: no growth with experts, far below its declared bits', () => {
    const noExperts = broken('gptq-no-experts', (t, ctx) => {
      const r = gptq.bytesForTensor(t, ctx);
      if (t.shape.length !== 3) return r;
      return { ...r, bytes: r.bytes / linearDims(t).experts };
    });
    const r = checkWeightFormatConformance(noExperts);
    expect(r.growth.join('\n')).toMatch(/experts/);
    expect(r.bitsPerWeight.join('\n')).toMatch(/experts\.down_proj is stored at 0\.52/);
  });

  it('fails a format that accepts a negative dimension', () => {
    const r = checkWeightFormatConformance(broken('lenient', (t) => ({ bytes: Math.abs(t.shape[0] ?? 1) * 100, type: 'x' })));
    expect(r.errors.join('\n')).toMatch(/negative .* instead of throwing/);
  });
});
