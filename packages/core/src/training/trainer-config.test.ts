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
    expect(r.workload).toMatchObject({ method: 'qlora', lora: { rank: 32, targets: 'all-linear', dropout: 0.05 }, seq: 4096, microBatch: 2, gradAccum: 4, optimizer: 'paged_adamw_8bit', checkpointing: 'full', precision: 'amp-bf16', attention: 'flash' });
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
    expect(r.workload).toMatchObject({ method: 'lora', lora: { rank: 8, targets: 'all-linear' }, seq: 2048, microBatch: 1, checkpointing: 'full', parallel: { zero: 3 } });
  });

  it('reads TRL SFTConfig + ModelConfig keys: use_peft, lora_target_modules, load_in_4bit → qlora', () => {
    const r = trainingFromTrainerConfig({ model_name_or_path: 'meta-llama/Llama-3.1-8B', use_peft: true, load_in_4bit: true, lora_r: 16, lora_target_modules: ['q_proj', 'v_proj'], max_seq_length: 1024, per_device_train_batch_size: 4, gradient_checkpointing: true, optim: 'adamw_torch_fused', bf16: true });
    expect(r.framework).toBe('trl');
    expect(r.workload).toMatchObject({ method: 'qlora', lora: { rank: 16, targets: ['q_proj', 'v_proj'] }, seq: 1024, microBatch: 4, optimizer: 'adamw', checkpointing: 'full' });
  });

  it('reads a torchtune recipe config: lora_attn_modules with output_proj → o_proj, MLP, chunked loss, offloading', () => {
    const r = trainingFromTrainerConfig({
      model: { _component_: 'torchtune.models.llama3_2.lora_llama3_2_3b', lora_attn_modules: ['q_proj', 'v_proj', 'output_proj'], apply_lora_to_mlp: true, lora_rank: 8, lora_alpha: 16 },
      tokenizer: { _component_: 'torchtune.models.llama3.llama3_tokenizer', max_seq_len: 4096 },
      batch_size: 2,
      optimizer: { _component_: 'torch.optim.AdamW', fused: true },
      loss: { _component_: 'torchtune.modules.loss.CEWithChunkedOutputLoss' },
      enable_activation_checkpointing: true,
      enable_activation_offloading: true,
      compile: true,
      dtype: 'bf16',
    });
    expect(r.workload).toMatchObject({ method: 'lora', lora: { rank: 8, targets: ['q_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] }, seq: 4096, microBatch: 2, loss: 'chunked', activationOffload: true, kernels: 'fused', precision: 'bf16' });
  });

  it('throws InvalidInputError for a mapping of no known trainer', () => {
    expect(() => trainingFromTrainerConfig({ foo: 1 })).toThrow(InvalidInputError);
  });
});
