import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepareModel } from '@vramkit/core';
import { normalizeConfig } from '@vramkit/models';
import { describe, expect, it } from 'vitest';
import { runTrainEstimate } from './run-train-estimate.js';
import { TrainOutputSchema } from './train-output-schema.js';

const fixtures = fileURLToPath(new URL('./__fixtures__/', import.meta.url));
const llama2 = normalizeConfig(JSON.parse(readFileSync(`${fixtures}llama-2-7b-config.json`, 'utf8'))).architecture;
const model = { model: prepareModel(llama2), name: 'meta-llama/Llama-2-7b-hf', argument: 'meta-llama/Llama-2-7b-hf' };

async function json(values: Record<string, string | boolean>): Promise<unknown> {
  let out = '';
  const io = { out: (t: string) => (out += t), err: () => {}, env: { HF_HUB_OFFLINE: '1' }, cwd: fixtures };
  await runTrainEstimate({ positionals: [], values: { json: true, ...values } }, io, model);
  return JSON.parse(out);
}

const workloads: Record<string, string | boolean>[] = [
  {},
  { method: 'qlora', rank: '8', checkpointing: 'hf', loss: 'LinearCrossEntropyLoss' },
  { method: 'lora', checkpointing: 'unsloth', loss: 'liger', 'gpu-memory': '24GB' },
  { gpus: '8', fsdp: true, cp: '2', checkpointing: 'torchtitan-op', precision: 'fp8' },
  { gpus: '8', pp: '2', tp: '2', zero: '1', checkpointing: 'every:4', precision: 'megatron-bf16', 'grad-accum': '8' },
  { gpus: '3', zero: '3', offload: 'optimizer+params', 'offload-device': 'nvme' },
  { checkpointing: 'megatron-selective', 'flash-attn': 'off', optimizer: 'paged_adamw_8bit', 'paged-evicted': true },
];

describe('vramkit schema estimate-train accepts what estimate --mode train --json prints', () => {
  it.each(workloads)('%o', async (values) => {
    const r = TrainOutputSchema.safeParse(await json(values));
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });

  it('maps every:k to full checkpointing of every k-th layer and the loss names to their memory model', async () => {
    const j = (await json({ checkpointing: 'every:4', loss: 'cce' })) as {
      workload: { checkpointing: string; checkpointEvery: number; loss: string };
    };
    expect(j.workload).toMatchObject({ checkpointing: 'full', checkpointEvery: 4, loss: 'fused' });
  });
});
