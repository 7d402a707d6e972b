import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decoder } from '../__fixtures__/decoder.js';
import { VramkitError } from '../errors/vramkit-error.js';
import { estimateTraining } from './estimate-training.js';
import { trainingFromTrainerConfig } from './trainer-config.js';

// Mutation fuzzer over trainer configs (issue #15): axolotl, LLaMA-Factory, TRL and torchtune examples
// with hostile values; what is accepted is estimated end to end. Fixed seed and run count in CI;
// VRAMKIT_FUZZ_RUNS / VRAMKIT_FUZZ_SEED for long runs. (Core has no file I/O: counts are in the title.)
const RUNS = Number(process.env.VRAMKIT_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.VRAMKIT_FUZZ_SEED ?? 15);

const model = decoder({ family: 'llama', vocab: 32000, hidden: 512, layers: 4, heads: 8, kvHeads: 4, ffn: 1024 });
const examples: Record<string, unknown>[] = [
  {
    base_model: 'meta-llama/Meta-Llama-3-8B',
    adapter: 'qlora',
    load_in_4bit: true,
    lora_r: 32,
    lora_alpha: 16,
    lora_dropout: 0.05,
    lora_target_linear: true,
    sequence_len: 4096,
    micro_batch_size: 2,
    gradient_accumulation_steps: 4,
    optimizer: 'paged_adamw_8bit',
    bf16: 'auto',
    gradient_checkpointing: true,
  },
  {
    model_name_or_path: 'Qwen/Qwen3-8B',
    finetuning_type: 'lora',
    lora_rank: 8,
    lora_target: 'all',
    cutoff_len: 2048,
    per_device_train_batch_size: 1,
    gradient_accumulation_steps: 8,
    bf16: true,
    deepspeed: 'ds_z3_config.json',
  },
  {
    model_name_or_path: 'Qwen/Qwen3-8B',
    use_peft: true,
    lora_r: 16,
    lora_target_modules: ['q_proj', 'v_proj'],
    max_seq_length: 1024,
    per_device_train_batch_size: 4,
    bf16: true,
    fsdp: 'full_shard auto_wrap',
  },
  {
    model: {
      _component_: 'torchtune.models.llama3.lora_llama3_8b',
      lora_attn_modules: ['q_proj', 'output_proj'],
      lora_rank: 8,
      lora_alpha: 16,
    },
    tokenizer: { max_seq_len: 2048 },
    batch_size: 2,
    optimizer: { _component_: 'torch.optim.AdamW' },
  },
];
const keys = [
  ...new Set(examples.flatMap((e) => Object.keys(e))),
  'lora_dropout',
  'quantization_bit',
  'optim',
  'max_length',
  'deepspeed',
];
const hostile = fc.oneof(
  fc.constantFrom(0, -1, 1, 7, 2 ** 31, 2 ** 53, 1e308, -1e308, Number.NaN, Number.POSITIVE_INFINITY, 0.5, 1.5, -0),
  fc.constantFrom(
    'sixteen',
    '16',
    '',
    '/etc/passwd',
    '../x.json',
    'constructor',
    '__proto__',
    null,
    true,
    [],
    {},
    { stage: 3 },
    { zero_optimization: { stage: 9 } },
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 16 }),
);
const isBytes = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

describe(`trainingFromTrainerConfig under mutation (${RUNS} inputs, seed ${SEED})`, () => {
  it('refuses with a typed error or yields a workload that estimates to finite integer bytes', {
    timeout: Math.max(30_000, RUNS * 60),
  }, () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(
        fc.nat({ max: examples.length - 1 }),
        fc.array(fc.tuple(fc.constantFrom(...keys), hostile), { minLength: 1, maxLength: 5 }),
        (i, edits) => {
          const raw: Record<string, unknown> = structuredClone(examples[i]!);
          for (const [k, v] of edits) raw[k] = v;
          let workload: ReturnType<typeof trainingFromTrainerConfig>['workload'];
          try {
            workload = trainingFromTrainerConfig(raw).workload;
          } catch (e) {
            if (!VramkitError.isInstance(e)) throw e;
            expect(e.message.length).toBeLessThan(2000);
            refused++;
            return;
          }
          for (const n of [workload.seq, workload.microBatch, workload.gradAccum, workload.lora?.rank]) {
            expect(n === undefined || (Number.isSafeInteger(n) && n >= 1)).toBe(true);
          }
          try {
            const e = estimateTraining({
              ...workload,
              seq: Math.min(workload.seq ?? 512, 4096),
              microBatch: Math.min(workload.microBatch ?? 1, 8),
              model,
            });
            expect(isBytes(e.total)).toBe(true);
            for (const p of Object.values(e.parts)) expect(isBytes(p.bytes)).toBe(true);
          } catch (e) {
            if (!VramkitError.isInstance(e)) throw e;
          }
          accepted++;
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(accepted + refused).toBe(RUNS);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
