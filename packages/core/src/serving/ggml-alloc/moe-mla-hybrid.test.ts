import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixtureArchitecture } from '@vramkit/fixtures';
import { describe, expect, it } from 'vitest';
import { MIB } from '../../memory/units.js';
import { llamaCppRunLabel, llamaCppRunOptions } from '../__fixtures__/llama-cpp-compute-gaps.js';
import { fixtureModel, llamaCppFixtures } from '../__fixtures__/llama-cpp-fixtures.js';
import { llamaCppArchitecture, llamaCppMemory } from '../llama-cpp.js';
import { computeBufferPlan } from './compute-buffer.js';
import { HYBRID_BUILDERS } from './hybrid.js';
import { MLA_BUILDERS } from './mla.js';
import { MOE_BUILDERS } from './moe.js';

/**
 * The MoE, MLA and hybrid families measured again by llama.cpp with a 16,384-token vocabulary
 * (validation/llama-cpp/small-vocab.ts), so that the CPU compute buffer peaks inside the layers rather
 * than on the logits: the recorded buffer then depends on every tensor of the expert, latent-attention
 * and delta-net blocks that is live at the peak, and dropping one of them from a graph builder moves it.
 */
const DIR = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__/small-vocab');

/** A tensor of the family's own block that is live at each recorded peak (named as llama.cpp's cb names it). */
const BLOCK_TENSOR: Record<string, RegExp> = {
  qwen3moe: /^(ffn_moe_|kq|kq_soft_max|__fattn__)/,
  'gpt-oss': /^(ffn_moe_|kq|kq_soft_max|__fattn__)/,
  llama4: /^(ffn_moe_|ffn_up|ffn_gate|kq|kq_soft_max|__fattn__)/,
  deepseek2: /^(kq|kq_soft_max|kqv|q_nope_absorbed|Qcur|Kcur|v_cont)/,
  qwen3next: /^(ffn_moe_|ffn_up|ffn_gate|linear_attn|conv_|qkv_mixed|gated_delta_net|kq|kq_soft_max|__fattn__)/,
};

const fixtures = llamaCppFixtures(DIR);

it('covers every MoE, MLA and hybrid family whose logits would hide the layers', () => {
  expect(fixtures.map((f) => f.id).sort()).toEqual(['deepseek2', 'gpt-oss', 'llama4', 'qwen3moe', 'qwen3next']);
});

describe.each(fixtures)('$id with a $architecture.vocabSize-token vocabulary', (f) => {
  const model = fixtureModel(f);
  for (const rec of f.runs) {
    if (rec.error) continue;
    it(`${llamaCppRunLabel(rec.run)}: the simulated plan is llama.cpp's buffer, peaking in the layers`, () => {
      const act = llamaCppMemory(llamaCppRunOptions(model, rec.run)).host.parts.activations!;
      // llama.cpp prints the compute buffer to 0.0001 MiB.
      expect(Math.abs(act.bytes / MIB - Number(rec.computeMib!.CPU))).toBeLessThanOrEqual(0.00005 + 1e-9);
      const live = Object.keys(act.parts ?? {});
      expect(live).not.toContain('result_output');
      expect(live.some((name) => BLOCK_TENSOR[f.id]!.test(name))).toBe(true);
    });
  }
});

/**
 * The catalogue models of these architectures beyond the recorded ones (full depth, DeepSeek-V3's query
 * LoRA, Kimi-K2's 384 experts, gpt-oss-120b, Qwen3-235B): each builds a reserve graph that the planner
 * places, whose peak holds at least the logits. Not measured: a guard against a builder that throws.
 */
describe('catalogue models of the MoE, MLA and hybrid architectures', () => {
  const ids = [
    'Qwen/Qwen3-30B-A3B',
    'Qwen/Qwen3-235B-A22B',
    'mistralai/Mixtral-8x7B-v0.1',
    'mistralai/Mixtral-8x22B-v0.1',
    'openai/gpt-oss-20b',
    'openai/gpt-oss-120b',
    'meta-llama/Llama-4-Scout-17B-16E-Instruct',
    'deepseek-ai/DeepSeek-V2-Lite',
    'deepseek-ai/DeepSeek-V3',
    'deepseek-ai/DeepSeek-R1',
    'moonshotai/Kimi-K2-Instruct',
    'Qwen/Qwen3-Next-80B-A3B-Thinking',
  ];
  const ours = new Set([...Object.keys(MOE_BUILDERS), ...Object.keys(MLA_BUILDERS), ...Object.keys(HYBRID_BUILDERS)]);
  for (const id of ids) {
    it(`${id}: a planned reserve graph at -c 4096 -ub 512`, () => {
      const arch = fixtureArchitecture(id);
      const ggufArch = llamaCppArchitecture(arch);
      expect(ours.has(ggufArch)).toBe(true);
      const plan = computeBufferPlan(arch, ggufArch, {
        ubatch: 512,
        batch: 512,
        nCtx: 4096,
        cells: 4096,
        swaCells: 1024,
        nSeqMax: 1,
        unified: false,
        flashAttn: true,
        typeK: 'f16',
        typeV: 'f16',
      })!;
      expect(plan.bytes).toBeGreaterThanOrEqual(4 * 512 * arch.vocabSize);
      expect(plan.peak.length).toBeGreaterThan(0);
    });
  }
});

describe('models these builders do not cover fall back (no plan) instead of throwing', () => {
  const inputs = {
    ubatch: 512,
    batch: 512,
    nCtx: 4096,
    cells: 4096,
    swaCells: 4096,
    nSeqMax: 1,
    unified: false,
    flashAttn: false,
    typeK: 'f16',
    typeV: 'f16',
  };
  it('deepseek2 without latent attention (the non-absorbed kv_b path is not built)', () => {
    const arch = fixtureArchitecture('deepseek-ai/DeepSeek-V2-Lite');
    const plain = {
      ...arch,
      layers: arch.layers.map((l) => ({ ...l, attention: { ...l.attention, mla: undefined } })),
    };
    expect(computeBufferPlan(arch, 'deepseek2', inputs)).toBeDefined();
    expect(computeBufferPlan(plain, 'deepseek2', inputs)).toBeUndefined();
  });
  it('qwen3next with a Mamba mixer (a dense FFN layer is built: build_layer_ffn)', () => {
    const arch = fixtureArchitecture('Qwen/Qwen3-Next-80B-A3B-Thinking', { num_hidden_layers: 4 });
    const withLayer = (i: number, over: object) => ({
      ...arch,
      layers: arch.layers.map((l, il) => (il === i ? { ...l, ...over } : l)),
    });
    const dense = withLayer(1, { mlp: { kind: 'dense' as const, gated: true, intermediateSize: 512, bias: false } });
    const mamba = withLayer(1, {
      attention: {
        kind: 'mamba' as const,
        intermediateSize: 4096,
        stateSize: 128,
        convKernel: 4,
        dtRank: 32,
        bias: false,
        convBias: true,
      },
    });
    expect(computeBufferPlan(dense, 'qwen3next', inputs)).toBeDefined();
    expect(computeBufferPlan(mamba, 'qwen3next', inputs)).toBeUndefined();
  });
});
