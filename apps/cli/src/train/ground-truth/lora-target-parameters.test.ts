import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../main.js';
import { validationFixture } from './fixtures.js';

interface Estimate {
  parameters: { trainable: number; all: number };
  breakdown: { activations: { bytes: number } };
}

async function train(model: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'vramkit-target-parameters-'));
  let out = '';
  let err = '';
  const code = await main(['estimate', model, '--mode', 'train', '--json', ...argv], {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { HOME: cwd, HF_HUB_OFFLINE: '1', VRAMKIT_CACHE_DIR: join(cwd, '.vramkit-cache') },
    cwd,
  });
  return { code, out, err };
}

const lora = validationFixture<{ models: Record<string, Record<string, { trainable: number; all: number }>> }>(
  'lora.json',
);

describe('estimate --mode train --lora-target-parameters (peft target_parameters on fused experts)', () => {
  const base = ['--method', 'lora', '--rank', '16', '--targets', 'all-linear'];
  const experts = ['--lora-target-parameters', 'experts.gate_up_proj,experts.down_proj'];

  it("counts gpt-oss-20b's all-linear + fused experts as peft does", async () => {
    const r = await train('openai/gpt-oss-20b', [...base, ...experts]);
    expect(r.err).toBe('');
    const e = JSON.parse(r.out) as Estimate;
    const { trainable, all } = lora.models['openai__gpt-oss-20b']!['r16-all-linear-fused-experts']!;
    expect(e.parameters).toMatchObject({ trainable, all });
  });

  it('adapts the experts alone with --targets none (peft target_modules=None)', async () => {
    for (const id of ['openai/gpt-oss-20b', 'meta-llama/Llama-4-Scout-17B-16E-Instruct']) {
      const r = await train(id, ['--method', 'lora', '--rank', '16', '--targets', 'none', ...experts]);
      const { trainable, all } = lora.models[id.replace('/', '__')]!['r16-experts-only']!;
      expect((JSON.parse(r.out) as Estimate).parameters).toMatchObject({ trainable, all });
    }
    const none = await train('openai/gpt-oss-20b', ['--method', 'lora', '--targets', 'none']);
    expect(none.code).not.toBe(0);
  });

  it('keeps the merged W + B·A of each adapted expert parameter for backward (peft ParamWrapper, no checkpointing)', async () => {
    const plain = JSON.parse((await train('openai/gpt-oss-20b', base)).out) as Estimate;
    const fused = JSON.parse((await train('openai/gpt-oss-20b', [...base, ...experts])).out) as Estimate;
    // gpt-oss-20b config: 24 layers, 32 experts, hidden 2880, intermediate 2880; bf16 merged
    // gate_up_proj [E, H, 2I] and down_proj [E, I, H] are saved in every layer.
    const merged = 24 * 32 * (2880 * 2 * 2880 + 2880 * 2880) * 2;
    expect(fused.breakdown.activations.bytes - plain.breakdown.activations.bytes).toBeGreaterThan(merged);
  });

  it('names the flag and the valid parameters for a wrong name', async () => {
    const r = await train('openai/gpt-oss-20b', [...base, '--lora-target-parameters', 'experts.w1']);
    expect(r.code).not.toBe(0);
    const { error } = JSON.parse(r.out) as { error: { flag: string; message: string } };
    expect(error.flag).toBe('--lora-target-parameters');
    expect(error.message).toMatch(/no parameter matches "experts\.w1"/);
    expect(error.message).toMatch(/"experts\.gate_up_proj", "experts\.down_proj"/);
  });

  it('is an error with --method full (the flag does not apply)', async () => {
    const r = await train('openai/gpt-oss-20b', ['--method', 'full', ...experts]);
    expect(r.code).not.toBe(0);
    const { error } = JSON.parse(r.out) as { error: { flag: string } };
    expect(error.flag).toBe('--lora-target-parameters');
  });
});
