import { synthesizeTensors } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { normalizeFamily as normalize } from './__fixtures__/normalize-family.js';
import { bloomFamily } from './bloom.js';

// bigscience/bloom-560m config.json (the fields BloomConfig reads).
const bloom560m = {
  model_type: 'bloom',
  hidden_size: 1024,
  n_head: 16,
  n_layer: 24,
  n_inner: null,
  vocab_size: 250880,
  apply_residual_connection_post_layernorm: false,
};

describe('bloomFamily', () => {
  it('bloom: bloom-560m has 559,214,592 parameters (bigscience/bloom-560m model card), MHA, tied head', () => {
    const { arch, params } = normalize(bloomFamily, bloom560m);
    expect(params.total).toBe(559_214_592);
    const a = arch.layers[0]!.attention;
    expect(a.kind === 'full' && [a.numHeads, a.numKvHeads, a.headDim]).toEqual([16, 16, 64]);
    expect(arch.tiedEmbeddings).toBe(true);
    expect(arch.learnedPositions).toBe(0);
  });

  it('bloom: bloom-7b1 has 7,069,016,064 parameters (bigscience/bloom-7b1 model card)', () => {
    const { params } = normalize(bloomFamily, { ...bloom560m, hidden_size: 4096, n_head: 32, n_layer: 30 });
    expect(params.total).toBe(7_069_016_064);
  });

  it('bloom: reads the legacy `n_embed` width and ignores `n_inner` (BloomMLP is always 4 × hidden)', () => {
    const { hidden_size: _, ...rest } = bloom560m;
    const { arch, params } = normalize(bloomFamily, { ...rest, n_embed: 1024, n_inner: 1234 });
    expect(params.total).toBe(559_214_592);
    const m = arch.layers[0]!.mlp;
    expect(m.kind === 'dense' && [m.intermediateSize, m.gated, m.bias]).toEqual([4096, false, true]);
  });

  it('bloom: names its tensors as BloomForCausalLM.named_parameters() does, embedding LayerNorm included', () => {
    const { arch } = normalize(bloomFamily, bloom560m);
    const names = synthesizeTensors(arch).map((t) => [t.name, t.shape.join('x')]);
    // Same names and shapes; within a block the order may differ (norms are listed first here).
    expect(names).toEqual(
      expect.arrayContaining([
        ['transformer.word_embeddings.weight', '250880x1024'],
        ['transformer.word_embeddings_layernorm.weight', '1024'],
        ['transformer.word_embeddings_layernorm.bias', '1024'],
        ['transformer.h.0.input_layernorm.weight', '1024'],
        ['transformer.h.0.input_layernorm.bias', '1024'],
        ['transformer.h.0.self_attention.query_key_value.weight', '3072x1024'],
        ['transformer.h.0.self_attention.query_key_value.bias', '3072'],
        ['transformer.h.0.self_attention.dense.weight', '1024x1024'],
        ['transformer.h.0.self_attention.dense.bias', '1024'],
      ]),
    );
    // BloomForCausalLM(bloom-560m config).named_parameters() on the meta device: 293 (the tied head once).
    expect(names).toHaveLength(293);
    expect(names.slice(0, 3).concat(names.slice(-2))).toEqual([
      ['transformer.word_embeddings.weight', '250880x1024'],
      ['transformer.word_embeddings_layernorm.weight', '1024'],
      ['transformer.word_embeddings_layernorm.bias', '1024'],
      ['transformer.ln_f.weight', '1024'],
      ['transformer.ln_f.bias', '1024'],
    ]);
  });
});
