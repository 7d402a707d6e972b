import { synthesizeTensors } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { fixtureArchitecture } from '@vramkit/fixtures';
import { ggufFileBytes, ggufMetadataBytes } from './gguf-file-size.js';
import { llamaFileTypeFormat } from './gguf-formats.js';

const arch = fixtureArchitecture('meta-llama/Meta-Llama-3.1-8B');
const tensors = synthesizeTensors(arch);
const tokenizer = { vocabSize: 128256, merges: 280147 };

describe('ggufMetadataBytes', () => {
  it('counts the 24-byte fixed header and 4 + 8·dims + 4 + 8 + name bytes per tensor info', () => {
    const r = ggufMetadataBytes([{ name: 'x', role: 'output_norm', kind: 'norm', shape: [4096] }], {
      vocabSize: 0,
      otherKeyValueBytes: 0,
    });
    expect(r.parts.header?.bytes).toBe(24);
    expect(r.parts.tensorInfos?.bytes).toBe(8 + 'output_norm.weight'.length + 4 + 8 + 4 + 8);
    expect(r.total % 32).toBe(0);
  });

  it('estimates Llama-3.1-8B metadata (128,256 tokens, 280,147 merges, 291 tensors) at 6–9 MB', () => {
    const r = ggufMetadataBytes(tensors, tokenizer);
    expect(r.total).toBeGreaterThan(6e6);
    expect(r.total).toBeLessThan(9e6);
  });

  it('throws INVALID_INPUT for vocabSize -1', () => {
    expect(() => ggufMetadataBytes(tensors, { vocabSize: -1 })).toThrowError(
      expect.objectContaining({ path: 'vocabSize' }),
    );
  });
});

describe('ggufFileBytes', () => {
  it('adds metadata to the Llama-3.1-8B Q4_K_M tensor data (4.58 GiB within 1%), total = tensorData + metadata', () => {
    const r = ggufFileBytes(tensors, llamaFileTypeFormat('Q4_K_M'), { arch, numLayers: 32 }, tokenizer);
    expect(r.parts.tensorData?.parts?.Q6_K?.bytes).toBeGreaterThan(0);
    expect(r.total).toBe((r.parts.tensorData?.bytes ?? 0) + (r.parts.metadata?.bytes ?? 0));
    expect(Math.abs((r.parts.tensorData?.bytes ?? 0) / 2 ** 30 / 4.58 - 1)).toBeLessThan(0.01);
  });
});
