import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';

async function run(argv: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), 'vramkit-train-errors-'));
  let err = '';
  const code = await main(['estimate', 'meta-llama/Llama-2-7b-hf', '--mode', 'train', ...argv], {
    out: () => {},
    err: (t) => (err += t),
    env: { HOME: cwd, HF_HUB_OFFLINE: '1', VRAMKIT_CACHE_DIR: join(cwd, '.vramkit-cache') },
    cwd,
  });
  return { code, err };
}

// The library names fields (parallel.zero, lora.targets); the CLI says the flags that set them.
describe('training refusals on the command line', () => {
  it('names --zero and --fsdp where the library names parallel.zero and parallel.fsdp', async () => {
    const r = await run(['--gpus', '2', '--offload', 'optimizer']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--offload/);
    expect(r.err).toMatch(/ZeRO \(--zero ≥ 1\) or FSDP \(--fsdp\)/);
    expect(r.err).not.toMatch(/parallel\./);
  });

  it('names --targets for a LoRA target that matches nothing', async () => {
    const r = await run(['--method', 'lora', '--targets', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/--targets/);
    expect(r.err).not.toMatch(/lora\.targets/);
  });

  it('refuses LoRA flags with a method that trains no adapters, naming each flag and --method', async () => {
    const r = await run(['--method', 'full', '--targets', 'q_proj', '--rank', '8', '--adapter-dtype', 'fp32']);
    expect(r.code).not.toBe(0);
    for (const flag of ['--rank', '--targets', '--adapter-dtype', '--method']) expect(r.err).toContain(flag);
    expect(r.err).not.toMatch(/lora\./);
    // Without --method the default (full) applies: a LoRA flag alone is refused too.
    expect((await run(['--lora-dropout', '0.1'])).err).toMatch(/--lora-dropout/);
  });

  it('accepts a full fine-tune with no LoRA flag (their defaults are not given options)', async () => {
    expect((await run(['--method', 'full'])).code).toBe(0);
  });
});
