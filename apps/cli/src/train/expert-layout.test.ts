import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { validationFixture } from './ground-truth/fixtures.js';

async function train(argv: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), 'vramkit-expert-layout-'));
  let out = '';
  let err = '';
  const code = await main(['estimate', 'mistralai/Mixtral-8x7B-v0.1', '--mode', 'train', '--json', ...argv], {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { HOME: cwd, HF_HUB_OFFLINE: '1', VRAMKIT_CACHE_DIR: join(cwd, '.vramkit-cache') },
    cwd,
  });
  if (code !== 0) throw new Error(err);
  return JSON.parse(out) as { parameters: { trainable: number; all: number }; assumptions?: string[] };
}

const lora = validationFixture<{ models: Record<string, Record<string, { trainable: number; all: number }>> }>(
  'lora.json',
);

describe('estimate --mode train: the MoE expert layout follows the config, --expert-layout overrides', () => {
  const allLinear = ['--method', 'lora', '--rank', '16', '--targets', 'all-linear'];
  const fusedCount = lora.models['mistralai__Mixtral-8x7B-v0.1']!['r16-all-linear']!;

  it("splits Mixtral's experts (its config names transformers 4.36) and fuses them with --expert-layout fused", async () => {
    const byVersion = await train(allLinear);
    const fused = await train([...allLinear, '--expert-layout', 'fused']);
    const split = await train([...allLinear, '--expert-layout', 'split']);
    expect(fused.parameters).toMatchObject(fusedCount);
    expect(byVersion.parameters).toEqual(split.parameters);
    expect(split.parameters.trainable).not.toBe(fusedCount.trainable);
  });
});
