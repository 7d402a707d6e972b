import { synthesizeTensors, weightBytes } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { fixtureArchitecture, recordedConfig } from '@vramkit/fixtures';
import params from './__fixtures__/params.json' with { type: 'json' };
import blocks from './__fixtures__/quantization-configs.json' with { type: 'json' };
import { formatFromQuantizationConfig } from './detect.js';

const block = (model: string) => {
  const b = blocks.find((x) => x.model === model);
  if (!b) throw new Error(`fixture ${model} missing`);
  return b.quantization_config as Record<string, unknown>;
};

describe('formatFromQuantizationConfig', () => {
  it('reads DeepSeek-V3 as fp8 with 128×128 blocks (fp8-block)', () => {
    const d = formatFromQuantizationConfig(block('deepseek-ai/DeepSeek-V3'));
    expect(d.format.id).toBe('fp8-block');
    expect(d.parameters).toEqual({ weight_block_size: [128, 128], activation_scheme: 'dynamic' });
  });

  it('reads gpt-oss-20b as mxfp4 keeping self_attn, router, embed_tokens and lm_head unconverted', () => {
    const d = formatFromQuantizationConfig(block('openai/gpt-oss-20b'));
    expect(d.format.id).toBe('mxfp4');
    const attn = {
      name: 'model.layers.3.self_attn.q_proj.weight',
      role: 'attn_q' as const,
      kind: 'weight' as const,
      shape: [4096, 2880],
    };
    expect(d.format.bytesForTensor(attn, { numLayers: 24 }).type).toBe('bf16');
  });

  it('sizes the gpt-oss-20b checkpoint at 13,761,264,768 bytes: BF16 1,804,459,584 values + MXFP4 blocks and scales (huggingface.js header count)', () => {
    const header = params.find((p) => p.model === 'openai/gpt-oss-20b' && p.params_exact);
    // parse-safetensors-metadata.spec.ts: parameterCount { BF16: 1_804_459_584, U8: 19_110_297_600 }, U8 = 2 values per packed byte.
    expect(header?.params).toBe(20_914_757_184);
    const arch = fixtureArchitecture('openai/gpt-oss-20b');
    const { format } = formatFromQuantizationConfig(
      recordedConfig('openai/gpt-oss-20b').quantization_config as Record<string, unknown>,
    );
    const w = weightBytes(synthesizeTensors(arch), format, { arch, numLayers: 24 });
    expect(w.byType.bf16?.elements).toBe(1_804_459_584);
    expect(w.byType.mxfp4?.elements).toBe(19_110_297_600);
    expect(w.byType.mxfp4?.bytes).toBe(19_110_297_600 / 2 + 19_110_297_600 / 32);
    expect(w.total).toBe(13_761_264_768);
  });

  it('reads TheBloke/Llama-2-7B-Chat-GPTQ as GPTQ 4-bit g128 act-order', () => {
    const d = formatFromQuantizationConfig(block('TheBloke/Llama-2-7B-Chat-GPTQ'));
    expect(d.format.id).toBe('gptq-4bit-128g-actorder');
    expect(d.parameters).toEqual({ bits: 4, group_size: 128, desc_act: true, sym: true });
  });

  it('reads Qwen2.5-72B-Instruct-AWQ as AWQ GEMM g128', () => {
    const d = formatFromQuantizationConfig(block('Qwen/Qwen2.5-72B-Instruct-AWQ'));
    expect(d.format.id).toBe('awq');
    expect(d.parameters).toMatchObject({ bits: 4, group_size: 128, version: 'gemm' });
  });

  it('reads unsloth bnb-4bit as NF4 with double quantization', () => {
    expect(formatFromQuantizationConfig(block('unsloth/llama-3-8b-bnb-4bit')).format.id).toBe('bnb-nf4-dq');
  });

  it('reads a compressed-tensors W4A16 block as int4 group 128, ignoring lm_head', () => {
    const d = formatFromQuantizationConfig(block('neuralmagic/Meta-Llama-3.1-8B-Instruct-quantized.w4a16'));
    expect(d.format.id).toBe('compressed-tensors:w4-group128');
    expect(d.quantMethod).toBe('compressed-tensors');
  });

  it('accepts a whole config.json holding quantization_config', () => {
    expect(
      formatFromQuantizationConfig({ model_type: 'x', quantization_config: block('deepseek-ai/DeepSeek-V3') }).format
        .id,
    ).toBe('fp8-block');
  });

  it('throws NO_SUCH_FORMAT naming quant_method "aqlm" when no detector knows it, and uses a plugin detector first', () => {
    expect(() => formatFromQuantizationConfig({ quant_method: 'aqlm' })).toThrowError(
      expect.objectContaining({ code: 'NO_SUCH_FORMAT', path: 'config.quantization_config.quant_method' }),
    );
    const fake = {
      specVersion: 'v1' as const,
      id: 'fake',
      description: 'fake',
      bytesForTensor: () => ({ bytes: 1, type: 'x' }),
    };
    const d = formatFromQuantizationConfig({ quant_method: 'aqlm' }, undefined, {
      detectors: [
        (qc) => (qc.quant_method === 'aqlm' ? { format: fake, quantMethod: 'aqlm', parameters: {} } : undefined),
      ],
    });
    expect(d.format.id).toBe('fake');
  });

  it('throws INVALID_INPUT for a gptq block without bits', () => {
    expect(() => formatFromQuantizationConfig({ quant_method: 'gptq' })).toThrowError(
      expect.objectContaining({ path: 'config.quantization_config.bits' }),
    );
  });
});
