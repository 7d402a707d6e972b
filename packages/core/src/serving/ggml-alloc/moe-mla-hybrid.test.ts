import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MIB } from '../../memory/units.js';
import { llamaCppRunLabel, llamaCppRunOptions } from '../__fixtures__/llama-cpp-compute-gaps.js';
import { fixtureModel, llamaCppFixtures } from '../__fixtures__/llama-cpp-fixtures.js';
import { llamaCppMemory } from '../llama-cpp.js';

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
