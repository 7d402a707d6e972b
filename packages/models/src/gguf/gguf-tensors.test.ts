import { describe, expect, it } from 'vitest';
import { classifyTensor } from '../safetensors/tensor-roles.js';
import { ggufTensor } from './gguf-tensors.js';

describe('GGUF tensors get the same kinds as the safetensors reader', () => {
  it.each([
    ['blk.0.attn_norm.weight', [4096]],
    ['blk.3.ffn_norm.weight', [4096]],
    ['blk.1.attn_q_norm.weight', [128]],
    ['blk.1.attn_kv_a_norm.weight', [512]],
    ['output_norm.weight', [4096]],
  ])('%s is a norm weight', (name, ne) => {
    expect(ggufTensor(name, ne, 'F32').kind).toBe('norm');
  });

  it('keeps 1-D non-norm tensors as vectors and matrices as weights', () => {
    expect(ggufTensor('blk.0.ssm_d', [128], 'F32').kind).toBe('vector');
    expect(ggufTensor('blk.0.attn_q.weight', [4096, 4096], 'Q4_K').kind).toBe('weight');
  });

  it('agrees with the safetensors reader on the norm of a decoder layer', () => {
    const st = classifyTensor('model.layers.0.input_layernorm.weight', [4096], 'BF16');
    expect(st.role).toBe('attn_norm');
    expect(ggufTensor('blk.0.attn_norm.weight', [4096], 'F32').kind).toBe(st.kind);
  });
});
