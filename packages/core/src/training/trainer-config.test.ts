import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { trainingFromTrainerConfig } from './trainer-config.js';

describe('trainingFromTrainerConfig', () => {
  it('reads an axolotl QLoRA config (axolotl examples/llama-3/qlora.yml keys): r=32, all-linear, seq 4096, mb 2, paged 8-bit AdamW', () => {
    const r = trainingFromTrainerConfig({
      base_model: 'meta-llama/Meta-Llama-3-8B',
      load_in_4bit: true,
      adapter: 'qlora',
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
      flash_attention: true,
    });
    expect(r.framework).toBe('axolotl');
    expect(r.modelId).toBe('meta-llama/Meta-Llama-3-8B');
    expect(r.workload).toMatchObject({
      method: 'qlora',
      lora: { rank: 32, targets: 'all-linear', dropout: 0.05 },
      seq: 4096,
      microBatch: 2,
      gradAccum: 4,
      optimizer: 'paged_adamw_8bit',
      checkpointing: 'full',
      precision: 'amp-bf16',
      attention: 'flash',
    });
  });

  it('reads a LLaMA-Factory LoRA SFT config: lora_target all, cutoff_len 2048, ZeRO-3 from ds_z3_config.json', () => {
    const r = trainingFromTrainerConfig({
      model_name_or_path: 'Qwen/Qwen3-8B',
      stage: 'sft',
      finetuning_type: 'lora',
      lora_rank: 8,
      lora_target: 'all',
      cutoff_len: 2048,
      per_device_train_batch_size: 1,
      gradient_accumulation_steps: 8,
      bf16: true,
      deepspeed: 'examples/deepspeed/ds_z3_config.json',
    });
    expect(r.framework).toBe('llama-factory');
    expect(r.workload).toMatchObject({
      method: 'lora',
      lora: { rank: 8, targets: 'all-linear' },
      seq: 2048,
      microBatch: 1,
      checkpointing: 'full',
      parallel: { zero: 3 },
    });
  });

  it('reads TRL SFTConfig + ModelConfig keys: use_peft, lora_target_modules, load_in_4bit → qlora', () => {
    const r = trainingFromTrainerConfig({
      model_name_or_path: 'meta-llama/Llama-3.1-8B',
      use_peft: true,
      load_in_4bit: true,
      lora_r: 16,
      lora_target_modules: ['q_proj', 'v_proj'],
      max_seq_length: 1024,
      per_device_train_batch_size: 4,
      gradient_checkpointing: true,
      optim: 'adamw_torch_fused',
      bf16: true,
    });
    expect(r.framework).toBe('trl');
    expect(r.workload).toMatchObject({
      method: 'qlora',
      lora: { rank: 16, targets: ['q_proj', 'v_proj'] },
      seq: 1024,
      microBatch: 4,
      optimizer: 'adamw',
      checkpointing: 'full',
    });
  });

  it('reads a torchtune recipe config: lora_attn_modules with output_proj → o_proj, MLP, chunked loss, offloading', () => {
    const r = trainingFromTrainerConfig({
      model: {
        _component_: 'torchtune.models.llama3_2.lora_llama3_2_3b',
        lora_attn_modules: ['q_proj', 'v_proj', 'output_proj'],
        apply_lora_to_mlp: true,
        lora_rank: 8,
        lora_alpha: 16,
      },
      tokenizer: { _component_: 'torchtune.models.llama3.llama3_tokenizer', max_seq_len: 4096 },
      batch_size: 2,
      optimizer: { _component_: 'torch.optim.AdamW', fused: true },
      loss: { _component_: 'torchtune.modules.loss.CEWithChunkedOutputLoss' },
      enable_activation_checkpointing: true,
      enable_activation_offloading: true,
      compile: true,
      dtype: 'bf16',
    });
    expect(r.workload).toMatchObject({
      method: 'lora',
      lora: { rank: 8, targets: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] },
      seq: 4096,
      microBatch: 2,
      loss: 'chunked',
      activationOffload: true,
      kernels: 'fused',
      precision: 'bf16',
    });
  });

  it('throws InvalidInputError for a mapping of no known trainer', () => {
    expect(() => trainingFromTrainerConfig({ foo: 1 })).toThrow(InvalidInputError);
  });
});

// Issue #15: hostile or mistyped values were replaced by defaults without a note.
describe('trainingFromTrainerConfig refuses values it would otherwise replace by defaults (issue #15)', () => {
  const axolotlBase = {
    base_model: 'meta-llama/Meta-Llama-3-8B',
    adapter: 'lora',
    sequence_len: 2048,
    micro_batch_size: 1,
  };
  it.each([
    [{ sequence_len: 0 }, 'config.sequence_len', /must be a whole number from 1 to/],
    [{ micro_batch_size: 0 }, 'config.micro_batch_size', /got 0/],
    [{ gradient_accumulation_steps: -2 }, 'config.gradient_accumulation_steps', /got -2/],
    [{ lora_r: 'sixteen' }, 'config.lora_r', /got "sixteen"/],
    [{ lora_r: Number.NaN }, 'config.lora_r', /got null|NaN/],
    [{ sequence_len: Number.POSITIVE_INFINITY }, 'config.sequence_len', /must be a whole number/],
    [{ sequence_len: 2 ** 40 }, 'config.sequence_len', /from 1 to 1,073,741,824/],
    [{ lora_dropout: 1.5 }, 'config.lora_dropout', /from 0 to 1/],
    [{ lora_alpha: 'x'.repeat(100_000) }, 'config.lora_alpha', /100,000 characters/],
  ])('axolotl config %# → INVALID_INPUT naming the field', (patch, path, message) => {
    let err: unknown;
    try {
      trainingFromTrainerConfig({ ...axolotlBase, ...patch });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', path });
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message.length).toBeLessThan(400);
  });

  it.each([
    [{ model_name_or_path: 'Qwen/Qwen3-8B', finetuning_type: 'lora', cutoff_len: 0 }, 'config.cutoff_len'],
    [{ model_name_or_path: 'Qwen/Qwen3-8B', per_device_train_batch_size: 0 }, 'config.per_device_train_batch_size'],
    [{ model_name_or_path: 'Qwen/Qwen3-8B', finetuning_type: 'lora', quantization_bit: 7 }, 'config.quantization_bit'],
    [
      { model: { _component_: 'torchtune.models.llama3.lora_llama3_8b', lora_rank: 'eight' }, batch_size: 2 },
      'config.model.lora_rank',
    ],
    [
      { model: { _component_: 'torchtune.models.llama3.llama3_8b' }, tokenizer: { max_seq_len: 0 } },
      'config.tokenizer.max_seq_len',
    ],
  ])('%o → INVALID_INPUT at %s', (raw, path) => {
    expect(() => trainingFromTrainerConfig(raw)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', path }));
  });

  it('keeps digits in quoted strings, as YAML writers quote them', () => {
    expect(trainingFromTrainerConfig({ ...axolotlBase, sequence_len: '4096' }).workload.seq).toBe(4096);
  });

  it.each(['/etc/passwd.json', '../secrets/config.yaml', 'C:\\Users\\me\\model.gguf', '/tmp/a/b/weights.bin'])(
    'refuses base_model %s, a file rather than a Hub id or a model folder',
    (path) => {
      expect(() => trainingFromTrainerConfig({ ...axolotlBase, base_model: path })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', path: 'config.base_model' }),
      );
    },
  );

  it.each(['meta-llama/Meta-Llama-3-8B', './models/llama-3-8b', '/data/models/Qwen3-8B/', './models/Qwen2.5'])(
    'accepts base_model %s',
    (id) => {
      expect(trainingFromTrainerConfig({ ...axolotlBase, base_model: id }).modelId).toBe(id);
    },
  );

  it('never resolves an optimizer name through the prototype chain', () => {
    const r = trainingFromTrainerConfig({ ...axolotlBase, optimizer: 'constructor' });
    expect(r.workload.optimizer).toBe('adamw');
    expect(r.notes.join(' ')).toMatch(/optimizer "constructor" not modelled/);
  });
});
