import { describe, expect, it } from 'vitest';
import { classifyTensor, isNonTextTensor } from './tensor-roles.js';

describe('classifyTensor', () => {
  it.each([
    ['model.embed_tokens.weight', [128256, 4096], 'token_embd', undefined, 'weight'],
    ['lm_head.weight', [128256, 4096], 'output', undefined, 'weight'],
    ['model.norm.weight', [4096], 'output_norm', undefined, 'norm'],
    ['transformer.word_embeddings_layernorm.weight', [1024], 'token_embd_norm', undefined, 'norm'],
    ['transformer.word_embeddings_layernorm.bias', [1024], 'token_embd_norm', undefined, 'bias'],
    ['model.layers.3.self_attn.q_proj.weight', [4096, 4096], 'attn_q', 3, 'weight'],
    ['model.layers.3.self_attn.q_proj.bias', [4096], 'attn_q', 3, 'bias'],
    ['model.layers.3.input_layernorm.weight', [4096], 'attn_norm', 3, 'norm'],
    ['model.layers.3.post_attention_layernorm.weight', [4096], 'post_attention_norm', 3, 'norm'],
    ['model.layers.1.mlp.experts.7.down_proj.weight', [4096, 1408], 'ffn_down_exps', 1, 'weight'],
    ['model.layers.1.mlp.shared_experts.up_proj.weight', [1408, 2048], 'ffn_up_shexp', 1, 'weight'],
    ['model.layers.1.mlp.gate.weight', [64, 2048], 'ffn_gate_inp', 1, 'weight'],
    ['model.layers.1.mlp.gate.e_score_correction_bias', [256], 'ffn_exp_probs_b', 1, 'vector'],
    ['model.layers.0.block_sparse_moe.experts.0.w1.weight', [14336, 4096], 'ffn_gate_exps', 0, 'weight'],
    ['transformer.h.0.attn.c_attn.weight', [768, 2304], 'attn_qkv', 0, 'weight'],
    ['transformer.h.0.mlp.c_proj.weight', [3072, 768], 'ffn_down', 0, 'weight'],
    ['transformer.h.0.attn.c_proj.weight', [768, 768], 'attn_output', 0, 'weight'],
    ['backbone.layers.2.mixer.A_log', [5120, 16], 'ssm_a', 2, 'vector'],
    ['backbone.layers.2.mixer.out_proj.weight', [768, 1536], 'ssm_out', 2, 'weight'],
    ['model.layers.0.linear_attn.out_proj.weight', [2048, 4096], 'ssm_out', 0, 'weight'],
  ] as const)('classifies %s (shape %j) as role %s, layer %s, kind %s', (name, shape, role, layer, kind) => {
    const t = classifyTensor(name, shape, 'BF16');
    expect(t.role).toBe(role);
    expect(t.layer).toBe(layer);
    expect(t.kind).toBe(kind);
  });

  it('flags layers at or after mtpFrom = 61 as MTP (DeepSeek-V3 layer 61)', () => {
    expect(classifyTensor('model.layers.61.eh_proj.weight', [7168, 14336], 'BF16', 61)).toMatchObject({
      role: 'nextn_eh_proj',
      mtp: true,
    });
    expect(classifyTensor('model.layers.60.self_attn.kv_b_proj.weight', [32768, 512], 'BF16', 61).mtp).toBeUndefined();
  });
});

describe('isNonTextTensor', () => {
  it('recognizes vision towers and projectors, not the language model', () => {
    expect(isNonTextTensor('vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight')).toBe(true);
    expect(isNonTextTensor('multi_modal_projector.linear_1.weight')).toBe(true);
    expect(isNonTextTensor('language_model.model.layers.0.self_attn.q_proj.weight')).toBe(false);
  });
});
