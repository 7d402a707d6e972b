import { describe, expect, it } from 'vitest';
import { optimizerStateBytes, type TrainableTensor } from './optimizers.js';

const square: TrainableTensor = { name: 'q_proj', shape: [4096, 4096], count: 1, hiddenMatrix: true };
const mlp: TrainableTensor = { name: 'up_proj', shape: [11008, 4096], count: 1, hiddenMatrix: true };
const norm: TrainableTensor = { name: 'norm', shape: [4096], count: 1, hiddenMatrix: false };
const embed: TrainableTensor = { name: 'embed_tokens', shape: [32000, 4096], count: 1, hiddenMatrix: false };

describe('optimizerStateBytes', () => {
  it('gives AdamW 2 × 4 B per element: 134,217,728 B for a 4096 × 4096 matrix', () => {
    expect(optimizerStateBytes([square], 'adamw', 4).bytes).toBe(134_217_728);
  });

  it('gives 8-bit AdamW 2 × (n + 4n/256) plus the 2 KiB qmaps: 34,080,768 B for 4096 × 4096', () => {
    expect(optimizerStateBytes([square], 'adamw_8bit', 4).bytes).toBe(2 * (16_777_216 + 4 * 65_536) + 2048);
  });

  it('keeps 32-bit states for tensors under 4096 elements in 8-bit AdamW: a 4096-vector stays 8-bit, a 4095-vector does not', () => {
    const small: TrainableTensor = { name: 'b', shape: [4095], count: 1, hiddenMatrix: false };
    const r = optimizerStateBytes([small, norm], 'adamw_8bit', 4);
    expect(r.parts?.fp32Fallback?.bytes).toBe(8 * 4095);
    expect(r.bytes).toBe(8 * 4095 + 2 * (4096 + 4 * 16) + 2048);
  });

  it('pages only tensors of at least 1e5 elements in paged AdamW', () => {
    expect(optimizerStateBytes([square, norm], 'paged_adamw', 4).pagedBytes).toBe(134_217_728);
  });

  it('factors Adafactor second moments: (11008 + 4096) × 4 B for an 11008 × 4096 matrix, 4n for a vector', () => {
    expect(optimizerStateBytes([mlp], 'adafactor', 4).bytes).toBe((11008 + 4096) * 4);
    expect(optimizerStateBytes([norm], 'adafactor', 4).bytes).toBe(4096 * 4);
  });

  it('gives SGD no state, SGD momentum and Lion one state', () => {
    expect(optimizerStateBytes([square], 'sgd', 4).bytes).toBe(0);
    expect(optimizerStateBytes([square], 'sgd_momentum', 4).bytes).toBe(67_108_864);
    expect(optimizerStateBytes([square], 'lion', 2).bytes).toBe(33_554_432);
  });

  it('gives Muon one momentum for hidden matrices and AdamW states for the embedding', () => {
    expect(optimizerStateBytes([square, embed], 'muon', 4).bytes).toBe(16_777_216 * 4 + 32000 * 4096 * 8);
  });
});
