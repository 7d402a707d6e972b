import { synthesizeTensors, type Tensor, tensorElements, weightBytes } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { llamaLikeArchitecture, neoxArchitecture } from './__fixtures__/architectures.js';
import llama8b from './__fixtures__/configs/meta-llama__Meta-Llama-3.1-8B.json' with { type: 'json' };
import llama70b from './__fixtures__/configs/meta-llama__Meta-Llama-3.1-70B.json' with { type: 'json' };
import mixtral from './__fixtures__/configs/mistralai__Mixtral-8x7B-v0.1.json' with { type: 'json' };
import sizes from './__fixtures__/gguf_sizes.json' with { type: 'json' };
import { ggmlPureFormat, llamaFileTypeFormat } from './gguf-formats.js';

const GIB = 2 ** 30;
const arch8b = llamaLikeArchitecture(llama8b);
const tensors8b = synthesizeTensors(arch8b);
const params8b = tensors8b.reduce((n, t) => n + tensorElements(t), 0);
const ctx8b = { arch: arch8b, numLayers: 32 };

describe('llamaFileTypeFormat', () => {
  it('synthesizes the 8,030,261,248 parameters of Llama-3.1-8B (the bf16 checkpoint total)', () => {
    expect(params8b).toBe(8_030_261_248);
  });

  // The README table's size is llama.cpp's "model size": the sum of tensor bytes (ggml_nbytes), without
  // the GGUF header, and its bits/weight is that size × 8 / parameters (rope_freqs' 64 values aside).
  const rows = sizes.filter((s) => s.model === 'meta-llama/Llama-3.1-8B');
  it.each(rows.map((r) => [r.quant, r.bytes_or_GB_as_stated, r.bpw] as const))(
    'predicts Llama-3.1-8B %s at %s (bits/weight %f to 4 decimals, size within 1%)',
    (quant, stated, bpw) => {
      const r = weightBytes(tensors8b, llamaFileTypeFormat(quant), ctx8b);
      expect((r.total * 8) / params8b).toBeCloseTo(bpw, 3);
      expect(Math.abs(r.total / GIB / Number.parseFloat(stated) - 1)).toBeLessThan(0.01);
    },
  );

  it('gives Llama-3.1-8B Q4_K_M 16 Q6_K attn_v and 16 Q6_K ffn_down (use_more_bits), output Q6_K, token_embd Q4_K', () => {
    const f = llamaFileTypeFormat('q4_k_m');
    const types = tensors8b.map((t) => [t, f.bytesForTensor(t, ctx8b).type] as const);
    const count = (role: string, type: string) => types.filter(([t, ty]) => t.role === role && ty === type).length;
    expect(count('attn_v', 'Q6_K')).toBe(16);
    expect(count('ffn_down', 'Q6_K')).toBe(16);
    expect(count('output', 'Q6_K')).toBe(1);
    expect(count('token_embd', 'Q4_K')).toBe(1);
    expect(count('attn_norm', 'F32')).toBe(32);
  });

  const openLlama = llamaLikeArchitecture({
    model_type: 'llama',
    hidden_size: 4096,
    intermediate_size: 11008,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    vocab_size: 32000,
  });
  const ci = (model: string, quant: string) => {
    const row = sizes.find((s) => s.model.startsWith(model) && s.quant === quant);
    if (!row) throw new Error(`${model} ${quant} missing from fixture`);
    const [value, unit] = row.bytes_or_GB_as_stated.split(' ') as [string, string];
    return Number.parseFloat(value) * (unit === 'MiB' ? 2 ** 20 : GIB);
  };
  const archs = {
    'openlm-research/open_llama_7b_v2': openLlama,
    'EleutherAI/pythia-2.8b': neoxArchitecture(2560, 32, 32),
    'EleutherAI/pythia-1.4b': neoxArchitecture(2048, 24, 16),
  };
  it.each([
    ['openlm-research/open_llama_7b_v2', 'Q4_0'],
    ['openlm-research/open_llama_7b_v2', 'Q4_K_M'],
    ['openlm-research/open_llama_7b_v2', 'Q8_0'],
    ['openlm-research/open_llama_7b_v2', 'F16'],
    ['EleutherAI/pythia-2.8b', 'F16'],
    // 1.664 vs 1.66 GiB: that CI run predates the rule that gives attn_qkv the attn_v treatment.
    ['EleutherAI/pythia-2.8b', 'Q4_K_M'],
    ['EleutherAI/pythia-1.4b', 'Q4_1'],
  ] as const)('predicts the llama.cpp CI conversion of %s in %s within 1%', (model, quant) => {
    const arch = archs[model];
    const r = weightBytes(synthesizeTensors(arch), llamaFileTypeFormat(quant), { arch, numLayers: arch.layers.length });
    expect(Math.abs(r.total / ci(model, quant) - 1)).toBeLessThan(0.01);
  });

  it('raises every Mixtral-8x7B attn_v and attn_k to Q8_0 and attn_output to Q5_K in Q4_K_M (n_expert == 8)', () => {
    const arch = llamaLikeArchitecture(mixtral);
    const f = llamaFileTypeFormat('Q4_K_M');
    const ctx = { arch, numLayers: 32 };
    const types = synthesizeTensors(arch).map((t) => [t.role, f.bytesForTensor(t, ctx).type] as const);
    expect(new Set(types.filter(([r]) => r === 'attn_v' || r === 'attn_k').map(([, ty]) => ty))).toEqual(new Set(['Q8_0']));
    expect(new Set(types.filter(([r]) => r === 'attn_output').map(([, ty]) => ty))).toEqual(new Set(['Q5_K']));
    expect(types.find(([r]) => r === 'ffn_gate_inp')?.[1]).toBe('F32');
    expect(types.filter(([r, ty]) => r === 'ffn_down_exps' && ty === 'Q6_K')).toHaveLength(16);
  });

  it('gives every Llama-3.1-70B attn_v Q6_K (use_more_bits, 40 layers) or Q5_K (the 70B rule, 40 layers) in Q4_K_M', () => {
    const arch = llamaLikeArchitecture(llama70b);
    const f = llamaFileTypeFormat('Q4_K_M');
    const ctx = { arch, numLayers: 80 };
    const types = synthesizeTensors(arch)
      .filter((t) => t.role === 'attn_v')
      .map((t) => f.bytesForTensor(t, ctx).type);
    expect(types.filter((t) => t === 'Q6_K')).toHaveLength(40);
    expect(types.filter((t) => t === 'Q5_K')).toHaveLength(40);
  });

  it('falls back from Q4_K to Q5_0 for a 1,056-column row and to F16 when 32 does not divide it either', () => {
    const f = llamaFileTypeFormat('Q4_K_S');
    const t = (cols: number): Tensor => ({ name: 'x', role: 'attn_q', kind: 'weight', layer: 10, shape: [64, cols] });
    expect(f.bytesForTensor(t(1056), { numLayers: 32 })).toEqual({ type: 'Q5_0', bytes: 64 * (1056 / 32) * 22 });
    expect(f.bytesForTensor(t(1001), { numLayers: 32 })).toEqual({ type: 'F16', bytes: 64 * 1001 * 2 });
  });

  it('puts MoE experts in MXFP4 and other matrices in Q8_0 for MXFP4_MOE', () => {
    const f = llamaFileTypeFormat('MXFP4_MOE');
    const ctx = { numLayers: 24 };
    expect(f.bytesForTensor({ name: 'e', role: 'ffn_down_exps', kind: 'weight', layer: 0, shape: [32, 2880, 2880] }, ctx)).toEqual({
      type: 'MXFP4',
      bytes: 32 * 2880 * 90 * 17,
    });
    expect(f.bytesForTensor({ name: 'q', role: 'attn_q', kind: 'weight', layer: 0, shape: [4096, 2880] }, ctx).type).toBe('Q8_0');
  });

  it('throws INVALID_INPUT for "Q9_K_X", naming the known file types', () => {
    expect(() => llamaFileTypeFormat('Q9_K_X')).toThrowError(/Q4_K_M/);
  });
});

describe('ggmlPureFormat', () => {
  it('puts every Llama-3.1-8B matrix in Q8_0 (ggml:Q8_0) and keeps 65 vectors in F32', () => {
    const r = weightBytes(tensors8b, ggmlPureFormat('Q8_0'), ctx8b);
    expect(r.byType.Q8_0?.tensors).toBe(226);
    expect(r.byType.F32?.tensors).toBe(65);
  });
});
