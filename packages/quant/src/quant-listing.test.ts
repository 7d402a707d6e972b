import { describe, expect, it } from 'vitest';
import { quantListing } from './quant-listing.js';

describe('quantListing', () => {
  const rows = quantListing();
  const row = (id: string) => rows.find((r) => r.id === id);

  it('lists Q4_K_M at 4.5 bits/weight on the 4096×4096 reference (a mid-stack attn_q is Q4_K)', () => {
    expect(row('Q4_K_M')).toMatchObject({ bitsPerWeight: 4.5, type: 'Q4_K', kind: 'format' });
  });

  it('lists ggml:Q8_0 at 8.5, bnb-nf4-dq at ≈4.127 and gptq-4bit-128g at ≈4.16 bits/weight', () => {
    expect(row('ggml:Q8_0')?.bitsPerWeight).toBe(8.5);
    expect(row('bnb-nf4-dq')?.bitsPerWeight).toBeCloseTo(4.127, 3);
    expect(row('gptq-4bit-128g')?.bitsPerWeight).toBeCloseTo(4 + 4 / 128 + 16 / 128 + 32 / 4096, 6);
  });

  it('lists families with an example id and their parameters: exl2@4.65', () => {
    expect(row('exl2@4.65')).toMatchObject({ kind: 'family', parameters: '<bpw>[,head=<bits>]' });
  });
});
