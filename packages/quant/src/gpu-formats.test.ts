import type { Tensor } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { awqFormat } from './awq.js';
import { bnb4bitBytes, bnb4bitFormat, bnbInt8Format } from './bitsandbytes.js';
import { compressedTensorsFormat } from './compressed-tensors.js';
import { exllamaFormat } from './exllama.js';
import { fp8Format } from './fp8.js';
import { gptqFormat } from './gptq.js';
import { hqqFormat } from './hqq.js';
import { mxfp4Format } from './mxfp4.js';

const ctx = { numLayers: 32 };
const linear = (name: string, role: Tensor['role'], shape: number[], module?: string): Tensor => ({
  name,
  role,
  kind: 'weight',
  layer: 0,
  shape,
  ...(module ? { module } : {}),
});
// Llama-2-7B / Llama-3-8B shapes (hidden 4096; MLP 11008 / 14336).
const qProj = linear('model.layers.0.self_attn.q_proj.weight', 'attn_q', [4096, 4096], 'q_proj');
const down7b = linear('model.layers.0.mlp.down_proj.weight', 'ffn_down', [4096, 11008], 'down_proj');
const lmHead: Tensor = { name: 'lm_head.weight', role: 'output', kind: 'weight', shape: [32000, 4096], module: 'lm_head' };
const embed: Tensor = { name: 'model.embed_tokens.weight', role: 'token_embd', kind: 'weight', shape: [32000, 4096] };

describe('gptqFormat', () => {
  it('sizes Llama-2-7B q_proj 4-bit g128 at 8,732,672 bytes: qweight 512×4096 i32, qzeros 32×512 i32, scales 32×4096 f16, g_idx 4096 i32', () => {
    expect(gptqFormat({ bits: 4, groupSize: 128 }).bytesForTensor(qProj, ctx)).toEqual({ bytes: 8_388_608 + 65_536 + 262_144 + 16_384, type: 'gptq-int4' });
  });

  it('sizes Llama-2-7B down_proj (in 11008) at 23,469,056 bytes with 86 groups', () => {
    expect(gptqFormat({ bits: 4, groupSize: 128, descAct: true }).bytesForTensor(down7b, ctx).bytes).toBe(22_544_384 + 176_128 + 704_512 + 44_032);
  });

  it('keeps one group per row for group_size -1 (scales 1×4096) and packs 3-bit as in/32×3 int32 rows', () => {
    expect(gptqFormat({ bits: 4, groupSize: -1 }).bytesForTensor(qProj, ctx).bytes).toBe(8_388_608 + 2_048 + 8_192 + 16_384);
    expect(gptqFormat({ bits: 3, groupSize: 128 }).bytesForTensor(qProj, ctx).bytes).toBe(384 * 4096 * 4 + 32 * 384 * 4 + 262_144 + 16_384);
  });

  it('sizes Mixtral-8x7B experts.down_proj [8, 4096, 14336] at 244,514,816 bytes: 8 × (qweight 448×4096 i32 + qzeros 112×512 + scales 112×4096 f16 + g_idx 14336 i32)', () => {
    // GPTQ checkpoints of MoE models store one QuantLinear per expert (model.layers.N.block_sparse_moe.experts.E.w2).
    const experts = linear('model.layers.0.mlp.experts.down_proj', 'ffn_down_exps', [8, 4096, 14336], 'down_proj');
    expect(gptqFormat({ bits: 4, groupSize: 128 }).bytesForTensor(experts, ctx).bytes).toBe(8 * (29_360_128 + 229_376 + 917_504 + 57_344));
  });

  it('leaves lm_head and embeddings in f16 (2 bytes per value)', () => {
    expect(gptqFormat({ bits: 4 }).bytesForTensor(lmHead, ctx)).toEqual({ bytes: 32000 * 4096 * 2, type: 'f16' });
  });

  it('throws INVALID_INPUT for in_features 100 (AutoGPTQ needs multiples of 32) and bits 5', () => {
    expect(() => gptqFormat({ bits: 4 }).bytesForTensor(linear('x', 'attn_q', [64, 100]), ctx)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => gptqFormat({ bits: 5 as 4 })).toThrowError(expect.objectContaining({ path: 'format.bits' }));
  });
});

describe('awqFormat', () => {
  it('sizes Qwen2.5-72B q_proj 8192×8192 GEMM g128 at 34,865,152 bytes: qweight 8192×1024, qzeros 64×1024 i32, scales 64×8192 f16', () => {
    expect(awqFormat().bytesForTensor(linear('q', 'attn_q', [8192, 8192]), ctx).bytes).toBe(33_554_432 + 262_144 + 1_048_576);
  });

  it('sizes Qwen2.5-72B down_proj (in 29568, 231 groups) at 125,841,408 bytes', () => {
    expect(awqFormat().bytesForTensor(linear('d', 'ffn_down', [8192, 29568]), ctx).bytes).toBe(121_110_528 + 946_176 + 3_784_704);
  });

  it('pads GEMV zeros to packs of 8 groups: 4096×4096 g128 has zeros width 4 → qzeros 4096×4, scales 4096×32', () => {
    expect(awqFormat({ version: 'gemv' }).bytesForTensor(qProj, ctx).bytes).toBe(4096 * 512 * 4 + 4096 * 4 * 4 + 4096 * 32 * 2);
  });
});

describe('bnb4bitFormat', () => {
  it('sizes a 4096×4096 NF4 weight with double quantization at 8,654,916 bytes (packed 8,388,608 + 262,144 uint8 absmax + 1,024 f32 nested + offset + code)', () => {
    expect(bnb4bitFormat({ doubleQuant: true }).bytesForTensor(qProj, ctx)).toEqual({ bytes: 8_388_608 + 262_144 + 4_096 + 4 + 64, type: 'nf4+dq' });
  });

  it('costs ≈0.127 extra bits per weight with double quantization and 0.5 without (QLoRA §3)', () => {
    const n = 4096 * 14336;
    expect(((bnb4bitBytes(n, true) - n / 2) * 8) / n).toBeCloseTo(0.127, 3);
    expect(((bnb4bitBytes(n, false) - n / 2) * 8) / n).toBeCloseTo(0.5, 3);
  });

  it('keeps lm_head, embeddings and norms in 16 bits', () => {
    const f = bnb4bitFormat();
    expect(f.bytesForTensor(lmHead, ctx).type).toBe('bf16');
    expect(f.bytesForTensor(embed, ctx).bytes).toBe(32000 * 4096 * 2);
  });
});

describe('bnbInt8Format', () => {
  it('sizes a 4096×4096 LLM.int8 weight at 16,793,600 bytes (int8 + f32 SCB per row)', () => {
    expect(bnbInt8Format().bytesForTensor(qProj, ctx).bytes).toBe(16_777_216 + 4096 * 4);
  });
});

describe('fp8Format', () => {
  const block = fp8Format({ scaling: 'block' });
  it('sizes DeepSeek-V3 kv_a_proj_with_mqa [576, 7168] at 4,129,888 bytes: fp8 + f32 weight_scale_inv 5×56', () => {
    expect(block.bytesForTensor(linear('kv_a', 'attn_kv_a_mqa', [576, 7168]), ctx).bytes).toBe(576 * 7168 + 5 * 56 * 4);
  });

  it('sizes DeepSeek-V3 routed experts [256, 2048, 7168] at 3,759,030,272 bytes (16×56 scales per expert)', () => {
    expect(block.bytesForTensor(linear('e', 'ffn_gate_exps', [256, 2048, 7168]), ctx).bytes).toBe(256 * (2048 * 7168 + 16 * 56 * 4));
  });

  it('keeps the router (ffn_gate_inp) in bf16 and adds one f32 per tensor / per channel for the other scalings', () => {
    expect(block.bytesForTensor(linear('g', 'ffn_gate_inp', [256, 7168]), ctx)).toEqual({ bytes: 256 * 7168 * 2, type: 'bf16' });
    expect(fp8Format({ scaling: 'tensor' }).bytesForTensor(qProj, ctx).bytes).toBe(16_777_216 + 4);
    expect(fp8Format({ scaling: 'channel' }).bytesForTensor(qProj, ctx).bytes).toBe(16_777_216 + 4096 * 4);
  });
});

describe('mxfp4Format', () => {
  it('sizes gpt-oss-20b gate_up_proj [32, 5760, 2880] at 282,009,600 bytes (blocks 32×5760×90×16 + scales 32×5760×90)', () => {
    expect(mxfp4Format().bytesForTensor(linear('model.layers.0.mlp.experts.gate_up_proj', 'ffn_gate_up_exps', [32, 5760, 2880]), ctx).bytes).toBe(
      265_420_800 + 16_588_800,
    );
  });

  it('keeps attention (modules_to_not_convert) and every 2-D matrix in bf16', () => {
    const f = mxfp4Format({ modulesToNotConvert: ['model.layers.*.self_attn'] });
    expect(f.bytesForTensor(linear('model.layers.0.self_attn.q_proj.weight', 'attn_q', [4096, 2880]), ctx).type).toBe('bf16');
  });
});

describe('compressedTensorsFormat', () => {
  it('sizes a W4A16 pack-quantized 4096×4096 weight at 8,650,768 bytes (int32-packed, bf16 scale per 128, weight_shape)', () => {
    const f = compressedTensorsFormat({ numBits: 4, type: 'int', strategy: 'group', groupSize: 128, symmetric: true, format: 'pack-quantized', ignore: ['lm_head'] });
    expect(f.bytesForTensor(qProj, ctx).bytes).toBe(8_388_608 + 262_144 + 16);
    expect(f.bytesForTensor(lmHead, ctx).type).toBe('bf16');
  });

  it('sizes an NVFP4 4096×4096 weight at 9,437,188 bytes (two per byte, fp8 scale per 16, f32 global scale)', () => {
    const f = compressedTensorsFormat({ numBits: 4, type: 'float', strategy: 'tensor_group', groupSize: 16, symmetric: true, format: 'nvfp4-pack-quantized' });
    expect(f.bytesForTensor(qProj, ctx).bytes).toBe(8_388_608 + 1_048_576 + 4);
  });
});

describe('hqqFormat', () => {
  it('sizes a 4-bit g64 4096×4096 weight at 9,437,184 bytes (packed + f16 scale and zero per 64)', () => {
    expect(hqqFormat({ nbits: 4 }).bytesForTensor(qProj, ctx).bytes).toBe(8_388_608 + 1_048_576);
  });

  it('packs 3-bit values 10 per int32: 16,777,216 values → 6,710,888 bytes + groups', () => {
    expect(hqqFormat({ nbits: 3, groupSize: 64 }).bytesForTensor(qProj, ctx).bytes).toBe(Math.ceil(16_777_216 / 10) * 4 + 1_048_576);
  });
});

describe('exllamaFormat', () => {
  it('sizes EXL2 at 4.65 bpw as ⌈n × 4.65 / 8⌉ = 9,751,757 bytes for 4096×4096 and lm_head at 6 bits', () => {
    const f = exllamaFormat({ version: 'exl2', bitsPerWeight: 4.65 });
    expect(f.bytesForTensor(qProj, ctx).bytes).toBe(Math.ceil((16_777_216 * 4.65) / 8));
    expect(f.bytesForTensor(lmHead, ctx).bytes).toBe((32000 * 4096 * 6) / 8);
  });

  it('throws INVALID_INPUT for 0.5 bpw', () => {
    expect(() => exllamaFormat({ version: 'exl3', bitsPerWeight: 0.5 })).toThrowError(expect.objectContaining({ path: 'format.bitsPerWeight' }));
  });
});
