import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { estimateTraining, GIB, prepareModel } from '@vramkit/core';
import { normalizeConfig } from '@vramkit/models';
import { readFileSync } from 'node:fs';
import { planCommand } from '../commands/plan.js';
import { runTrainEstimate } from './run-train-estimate.js';
import { trainingWorkloadFrom } from './train-flags.js';
import { TrainOutputSchema } from './train-output-schema.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const llama2 = normalizeConfig(JSON.parse(readFileSync(`${fixtures}llama-2-7b-config.json`, 'utf8'))).architecture;
const model = { model: prepareModel(llama2), name: 'meta-llama/Llama-2-7b-hf', argument: 'meta-llama/Llama-2-7b-hf' };

function io() {
  let out = '';
  return {
    io: { out: (t: string) => (out += t), err: () => {}, env: { HF_HUB_OFFLINE: '1' }, cwd: fixtures },
    text: () => out,
  };
}

describe('runTrainEstimate', () => {
  it('prints 39,976,960 trainable parameters for Llama-2-7B LoRA r=16 on all seven projections', async () => {
    const o = io();
    const code = await runTrainEstimate(
      {
        positionals: [],
        values: {
          method: 'lora',
          rank: '16',
          targets: 'q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj',
          seq: '4096',
          'micro-batch': '2',
          checkpointing: 'full',
        },
      },
      o.io,
      model,
    );
    expect(code).toBe(0);
    expect(o.text()).toMatch(/39\.98M trainable|39,976,960 trainable/);
    expect(o.text()).toMatch(/^total /m);
  });

  it('emits per-GPU bytes, host bytes and exact parameters with --json, equal to estimateTraining', async () => {
    const o = io();
    await runTrainEstimate(
      { positionals: [], values: { json: true, gpus: '8', zero: '3', precision: 'bf16-mixed', seq: '2048' } },
      o.io,
      model,
    );
    const j = JSON.parse(o.text());
    expect(TrainOutputSchema.safeParse(j).success).toBe(true);
    const e = estimateTraining({ model: llama2, parallel: { gpus: 8, zero: 3 }, precision: 'bf16-mixed', seq: 2048 });
    expect(j.bytes.total).toBe(e.total);
    expect(
      j.bytes.weights +
        j.bytes.adapters +
        j.bytes.gradients +
        j.bytes.optimizer +
        j.bytes.activations +
        j.bytes.logits +
        j.bytes.communication +
        j.bytes.overhead,
    ).toBe(j.bytes.total);
    expect(j.parameters).toEqual({ total: 6_738_415_616, trainable: 6_738_415_616, all: 6_738_415_616 });
    expect(j.hostBytes.total).toBe(0);
  });

  it('reads --from an axolotl YAML and lets flags override it (rank 8 over lora_r 32)', async () => {
    const o = io();
    await runTrainEstimate(
      { positionals: [], values: { json: true, from: 'axolotl-qlora.yml', rank: '8' } },
      o.io,
      model,
    );
    const j = JSON.parse(o.text());
    expect(j.workload).toMatchObject({
      method: 'qlora',
      seq: 4096,
      microBatch: 2,
      optimizer: 'paged_adamw',
      checkpointing: 'full',
      lora: { rank: 8, targets: 'all-linear' },
    });
    expect(j.parameters.trainable).toBe(8 * (32 * (4 * 8192 + 3 * (4096 + 11008))));
  });

  it('returns exit code 1 when the total does not fit --gpu-memory 24GiB (full fine-tune of 7B)', async () => {
    const o = io();
    expect(await runTrainEstimate({ positionals: [], values: { 'gpu-memory': ['24GiB'] } }, o.io, model)).toBe(1);
    expect(o.text()).toMatch(/does NOT fit/);
  });
});

describe('trainingWorkloadFrom', () => {
  it('maps --zero, --fsdp-mode, --offload params and --flash-attn off', () => {
    expect(trainingWorkloadFrom({ zero: '3', offload: 'params', 'flash-attn': 'off', gpus: '4' })).toMatchObject({
      attention: 'naive',
      parallel: { zero: 3, offload: 'optimizer+params', gpus: 4 },
    });
    expect(() => trainingWorkloadFrom({ zero: '4' })).toThrow(/--zero/);
    expect(() => trainingWorkloadFrom({ method: 'prefix' })).toThrow(/--method/);
  });
});

describe('vramkit plan', () => {
  it('ranks setups for Llama-2-7B on 24 GiB with QLoRA fitting one GPU', async () => {
    const o = io();
    const code = await planCommand.run(
      { positionals: ['llama-2-7b-config.json'], values: { 'gpu-memory': ['24GiB'], seq: '2048', 'max-gpus': '8' } },
      o.io,
    );
    expect(code).toBe(0);
    expect(o.text()).toMatch(/qlora · single GPU/);
  });

  it('emits JSON setups, each within the GPU memory', async () => {
    const o = io();
    await planCommand.run(
      {
        positionals: ['llama-2-7b-config.json'],
        values: { 'gpu-memory': ['80GiB'], json: true, methods: 'full', 'max-gpus': '16' },
      },
      o.io,
    );
    const j = JSON.parse(o.text());
    expect(j.setups.length).toBeGreaterThan(0);
    for (const s of j.setups) expect(s.bytes.total).toBeLessThanOrEqual(80 * GIB);
  });
});
