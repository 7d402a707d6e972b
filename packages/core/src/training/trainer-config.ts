import { type InputIssue, InvalidInputError } from '../errors/invalid-input-error.js';
import { excerpt, INPUT_LIMITS, type InputLimitKind } from '../validate.js';
import type { TrainingWorkload } from './estimate-training.js';
import type { OptimizerId } from './optimizers.js';

/** Trainer config formats {@link trainingFromTrainerConfig} reads. */
export type TrainerFramework = 'axolotl' | 'llama-factory' | 'trl' | 'torchtune';

/** What a trainer config says, mapped onto a training workload. */
export interface TrainerConfigResult {
  framework: TrainerFramework;
  /** The Hub id or path of the base model, when the config names one. */
  modelId?: string;
  workload: TrainingWorkload;
  /** Keys that matter for memory but were not understood (e.g. a DeepSpeed file we cannot open). */
  notes: string[];
}

type Raw = Record<string, unknown>;

const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;

/**
 * Reads the numeric fields of a trainer config strictly: a key that is present must hold a whole number
 * in `[1, INPUT_LIMITS[kind].max]` (digits in a string are accepted, as YAML writers quote them), or a
 * number in `[min, max]` for rates. `sequence_len: 0`, `lora_r: "sixteen"` or `.nan` is an error naming
 * the key, never replaced by a default without a word.
 */
class Fields {
  readonly issues: InputIssue[] = [];
  constructor(readonly raw: Raw) {}

  /** A whole number ≥ 1 within the bound of `kind`, or undefined when the key is absent or null. */
  int(key: string, kind: InputLimitKind, from: Raw = this.raw, path = key): number | undefined {
    const v = from[key];
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN;
    const limit = INPUT_LIMITS[kind];
    if (!Number.isSafeInteger(n) || n < 1 || n > limit.max) {
      this.issues.push({
        path: `config.${path}`,
        message: `must be a whole number from 1 to ${limit.max.toLocaleString('en-US')} (${limit.reason}), got ${excerpt(v)}`,
        received: excerpt(v),
      });
      return undefined;
    }
    return n;
  }

  /** A finite number in `[min, max]`, or undefined when absent or null. */
  number(key: string, min: number, max: number, from: Raw = this.raw, path = key): number | undefined {
    const v = from[key];
    if (v === undefined || v === null) return undefined;
    const n =
      typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isFinite(n) || n < min || n > max) {
      this.issues.push({
        path: `config.${path}`,
        message: `must be a number from ${min} to ${max}, got ${excerpt(v)}`,
        received: excerpt(v),
      });
      return undefined;
    }
    return n;
  }

  /** The model the config names: a Hub id or a model folder, never any other file. */
  model(key: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string' || v.length === 0 || v.length > 1024 || v.includes('\0')) {
      this.issues.push({
        path: `config.${key}`,
        message: `must be a Hub model id (owner/name) or a model folder, got ${excerpt(v)}`,
        received: excerpt(v),
      });
      return undefined;
    }
    // A path to a file is not a model folder. Loaders read a file only when it is a config.json or a
    // .gguf (and never one without an extension), so refusing file extensions here closes the rest.
    if (/\.(json|gguf|ya?ml|toml|bin|safetensors|pt|pth|txt|py|sh|csv|md)$/i.test(v)) {
      this.issues.push({
        path: `config.${key}`,
        message: `must be a Hub model id (owner/name) or a model folder, not a file (${excerpt(v)})`,
        received: excerpt(v),
      });
      return undefined;
    }
    return v;
  }

  done(): void {
    if (this.issues.length > 0) throw new InvalidInputError(this.issues);
  }
}
const bool = (v: unknown): boolean | undefined =>
  typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined;

// HF TrainingArguments.optim names (transformers training_args.py OptimizerNames) → ours.
const HF_OPTIM: Record<string, OptimizerId> = {
  adamw_torch: 'adamw',
  adamw_torch_fused: 'adamw',
  adamw_hf: 'adamw',
  adamw_apex_fused: 'adamw',
  adamw_bnb_8bit: 'adamw_8bit',
  adamw_8bit: 'adamw_8bit',
  paged_adamw_8bit: 'paged_adamw_8bit',
  paged_adamw_32bit: 'paged_adamw',
  paged_adamw: 'paged_adamw',
  adafactor: 'adafactor',
  sgd: 'sgd',
  lion_32bit: 'lion',
  lion_8bit: 'lion_8bit',
  paged_lion_8bit: 'lion_8bit',
};

function hfOptim(name: string | undefined, notes: string[]): OptimizerId | undefined {
  if (name === undefined) return undefined;
  const id = Object.hasOwn(HF_OPTIM, name) ? HF_OPTIM[name] : undefined;
  if (!id) notes.push(`optimizer ${excerpt(name)} not modelled; assumed adamw`);
  return id ?? 'adamw';
}

function deepspeedStage(v: unknown, notes: string[]): 0 | 1 | 2 | 3 | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (isRecord(v)) {
    const zo = v.zero_optimization;
    const s = isRecord(zo) ? num(zo.stage) : undefined;
    if (s === 0 || s === 1 || s === 2 || s === 3) return s;
  }
  const path = str(v);
  const m = path ? /z(?:ero)?[_-]?([0-3])/i.exec(path) : null;
  if (m) return Number(m[1]) as 0 | 1 | 2 | 3;
  notes.push(`DeepSpeed config ${excerpt(v)}: stage not readable from here; pass --zero`);
  return undefined;
}

function targetsFrom(v: unknown): string[] | 'all-linear' | undefined {
  if (v === 'all' || v === 'all-linear') return 'all-linear';
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v)) return v.map(String);
  return undefined;
}

function detect(raw: Raw): TrainerFramework | undefined {
  const model = raw.model;
  if (isRecord(model) && str(model._component_)?.startsWith('torchtune.')) return 'torchtune';
  if ('base_model' in raw || 'sequence_len' in raw || 'micro_batch_size' in raw) return 'axolotl';
  if ('finetuning_type' in raw || 'cutoff_len' in raw || 'lora_target' in raw) return 'llama-factory';
  if ('per_device_train_batch_size' in raw || 'model_name_or_path' in raw || 'max_seq_length' in raw) return 'trl';
  return undefined;
}

function axolotl(raw: Raw, notes: string[]): TrainerConfigResult {
  const f = new Fields(raw);
  const rank = f.int('lora_r', 'width');
  const alpha = f.number('lora_alpha', Number.MIN_VALUE, 2 ** 20);
  const dropout = f.number('lora_dropout', 0, 1);
  const seq = f.int('sequence_len', 'context');
  const microBatch = f.int('micro_batch_size', 'batch');
  const gradAccum = f.int('gradient_accumulation_steps', 'batch');
  const modelId = f.model('base_model');
  f.done();
  const adapter = str(raw.adapter);
  const fourBit = bool(raw.load_in_4bit) === true || adapter === 'qlora';
  const peft = adapter === 'lora' || adapter === 'qlora';
  const dora = bool(raw.peft_use_dora) === true;
  const method = !peft ? 'full' : fourBit ? 'qlora' : dora ? 'dora' : 'lora';
  const ds = deepspeedStage(raw.deepspeed, notes);
  const fsdp = raw.fsdp !== undefined && raw.fsdp !== null && raw.fsdp !== false;
  const gc = raw.gradient_checkpointing;
  const workload: TrainingWorkload = {
    method,
    ...(peft
      ? {
          lora: {
            ...(rank !== undefined ? { rank } : {}),
            ...(alpha !== undefined ? { alpha } : {}),
            targets: bool(raw.lora_target_linear) ? 'all-linear' : (targetsFrom(raw.lora_target_modules) ?? 'default'),
            ...(Array.isArray(raw.lora_modules_to_save) ? { modulesToSave: raw.lora_modules_to_save.map(String) } : {}),
            ...(dropout !== undefined ? { dropout } : {}),
          },
        }
      : {}),
    ...(seq !== undefined ? { seq } : {}),
    ...(microBatch !== undefined ? { microBatch } : {}),
    ...(gradAccum !== undefined ? { gradAccum } : {}),
    checkpointing: gc === true || typeof gc === 'string' ? 'full' : 'none',
    ...(hfOptim(str(raw.optimizer), notes) ? { optimizer: hfOptim(str(raw.optimizer), []) } : {}),
    precision: precisionFor(bool(raw.bf16) ?? (raw.bf16 === 'auto' ? true : undefined), bool(raw.fp16), peft),
    attention: bool(raw.flash_attention) === false && bool(raw.sdp_attention) !== true ? 'naive' : 'flash',
    ...(bool(raw.liger_fused_linear_cross_entropy) || bool(raw.cut_cross_entropy) ? { loss: 'fused' } : {}),
    ...(ds !== undefined || fsdp
      ? { parallel: { ...(ds !== undefined ? { zero: ds } : {}), ...(fsdp ? { fsdp: 'full' } : {}) } }
      : {}),
  };
  return { framework: 'axolotl', ...(modelId ? { modelId } : {}), workload, notes };
}

/**
 * HF Trainer keeps parameters in the dtype they were loaded in: a bf16-loaded model trains with
 * bf16 weights and AdamW states (our `bf16`); peft adapters are fp32 under autocast (`amp-bf16`).
 */
function precisionFor(
  bf16: boolean | undefined,
  fp16: boolean | undefined,
  peft: boolean,
): TrainingWorkload['precision'] {
  if (bf16) return peft ? 'amp-bf16' : 'bf16';
  if (fp16) return peft ? 'amp-bf16' : 'fp16-mixed';
  return 'fp32';
}

function llamaFactory(raw: Raw, notes: string[]): TrainerConfigResult {
  const f = new Fields(raw);
  const rank = f.int('lora_rank', 'width');
  const alpha = f.number('lora_alpha', Number.MIN_VALUE, 2 ** 20);
  const dropout = f.number('lora_dropout', 0, 1);
  const seq = f.int('cutoff_len', 'context');
  const microBatch = f.int('per_device_train_batch_size', 'batch');
  const gradAccum = f.int('gradient_accumulation_steps', 'batch');
  const modelId = f.model('model_name_or_path');
  const qBits = f.int('quantization_bit', 'width');
  if (qBits !== undefined && qBits !== 2 && qBits !== 3 && qBits !== 4 && qBits !== 5 && qBits !== 6 && qBits !== 8) {
    f.issues.push({
      path: 'config.quantization_bit',
      message: `must be 2, 3, 4, 5, 6 or 8 (LLaMA-Factory's quantization_bit), got ${qBits}`,
      received: qBits,
    });
  }
  f.done();
  const type = str(raw.finetuning_type) ?? 'lora';
  if (type === 'freeze') notes.push('finetuning_type freeze (partial layers) is estimated as full fine-tuning');
  const peft = type === 'lora';
  const q = qBits;
  const dora = bool(raw.use_dora) === true;
  const method = !peft ? 'full' : q === 4 ? 'qlora' : dora ? 'dora' : 'lora';
  if (q === 8) notes.push('8-bit base (quantization_bit 8) is estimated as a bf16 base');
  const ds = deepspeedStage(raw.deepspeed, notes);
  const attn = str(raw.flash_attn);
  const workload: TrainingWorkload = {
    method,
    ...(peft
      ? {
          lora: {
            ...(rank !== undefined ? { rank } : {}),
            ...(alpha !== undefined ? { alpha } : {}),
            targets: targetsFrom(raw.lora_target ?? 'all') ?? 'all-linear',
            ...(dropout !== undefined ? { dropout } : {}),
          },
        }
      : {}),
    ...(seq !== undefined ? { seq } : {}),
    ...(microBatch !== undefined ? { microBatch } : {}),
    ...(gradAccum !== undefined ? { gradAccum } : {}),
    // LLaMA-Factory enables gradient checkpointing unless disable_gradient_checkpointing is set.
    checkpointing: bool(raw.disable_gradient_checkpointing) ? 'none' : 'full',
    ...(hfOptim(str(raw.optim), notes) ? { optimizer: hfOptim(str(raw.optim), []) } : {}),
    precision: precisionFor(bool(raw.bf16), bool(raw.fp16), peft),
    attention: attn === 'disabled' || attn === 'eager' ? 'naive' : 'flash',
    ...(bool(raw.enable_liger_kernel) ? { loss: 'fused', kernels: 'fused' } : {}),
    ...(ds !== undefined ? { parallel: { zero: ds } } : {}),
  };
  return { framework: 'llama-factory', ...(modelId ? { modelId } : {}), workload, notes };
}

function trl(raw: Raw, notes: string[]): TrainerConfigResult {
  const f = new Fields(raw);
  const rank = f.int('lora_r', 'width');
  const alpha = f.number('lora_alpha', Number.MIN_VALUE, 2 ** 20);
  const dropout = f.number('lora_dropout', 0, 1);
  const seq =
    raw.max_seq_length !== undefined && raw.max_seq_length !== null
      ? f.int('max_seq_length', 'context')
      : f.int('max_length', 'context');
  const microBatch = f.int('per_device_train_batch_size', 'batch');
  const gradAccum = f.int('gradient_accumulation_steps', 'batch');
  const modelId = f.model('model_name_or_path');
  f.done();
  const peft = bool(raw.use_peft) === true || raw.lora_r !== undefined || raw.peft_config !== undefined;
  const fourBit = bool(raw.load_in_4bit) === true;
  const method = !peft ? 'full' : fourBit ? 'qlora' : bool(raw.use_dora) ? 'dora' : 'lora';
  const ds = deepspeedStage(raw.deepspeed, notes);
  const fsdp = str(raw.fsdp);
  const workload: TrainingWorkload = {
    method,
    ...(peft
      ? {
          lora: {
            ...(rank !== undefined ? { rank } : {}),
            ...(alpha !== undefined ? { alpha } : {}),
            targets: targetsFrom(raw.lora_target_modules) ?? 'default',
            ...(dropout !== undefined ? { dropout } : {}),
          },
        }
      : {}),
    ...(seq !== undefined ? { seq } : {}),
    ...(microBatch !== undefined ? { microBatch } : {}),
    ...(gradAccum !== undefined ? { gradAccum } : {}),
    checkpointing: bool(raw.gradient_checkpointing) ? 'full' : 'none',
    ...(hfOptim(str(raw.optim), notes) ? { optimizer: hfOptim(str(raw.optim), []) } : {}),
    precision: precisionFor(bool(raw.bf16), bool(raw.fp16), peft),
    ...(bool(raw.use_liger_kernel) ? { loss: 'fused', kernels: 'fused' } : {}),
    ...(str(raw.attn_implementation) === 'eager' ? { attention: 'naive' } : {}),
    ...(ds !== undefined || fsdp
      ? {
          parallel: {
            ...(ds !== undefined ? { zero: ds } : {}),
            ...(fsdp
              ? {
                  fsdp: fsdp.includes('hybrid') ? 'hybrid' : fsdp.includes('shard_grad_op') ? 'grad-op' : 'full',
                  ...(fsdp.includes('offload') ? { offload: 'optimizer+params' } : {}),
                }
              : {}),
          },
        }
      : {}),
  };
  return { framework: 'trl', ...(modelId ? { modelId } : {}), workload, notes };
}

// torchtune module names → Hugging Face names used by our inventory.
const TT_ATTN: Record<string, string> = { q_proj: 'q_proj', k_proj: 'k_proj', v_proj: 'v_proj', output_proj: 'o_proj' };
const TT_OPTIM: Record<string, OptimizerId> = {
  'torch.optim.AdamW': 'adamw',
  'bitsandbytes.optim.PagedAdamW8bit': 'paged_adamw_8bit',
  'bitsandbytes.optim.PagedAdamW': 'paged_adamw',
  'bitsandbytes.optim.AdamW8bit': 'adamw_8bit',
  'torchao.prototype.low_bit_optim.AdamW8bit': 'torchao_adamw_8bit',
  'torch.optim.SGD': 'sgd',
};

function torchtune(raw: Raw, notes: string[]): TrainerConfigResult {
  const model = raw.model as Raw;
  const f = new Fields(raw);
  const tok = isRecord(raw.tokenizer) ? raw.tokenizer : {};
  const rank = f.int('lora_rank', 'width', model, 'model.lora_rank');
  const alpha = f.number('lora_alpha', Number.MIN_VALUE, 2 ** 20, model, 'model.lora_alpha');
  const dropout = f.number('lora_dropout', 0, 1, model, 'model.lora_dropout');
  const seq = f.int('max_seq_len', 'context', tok, 'tokenizer.max_seq_len');
  const microBatch = f.int('batch_size', 'batch');
  const gradAccum = f.int('gradient_accumulation_steps', 'batch');
  f.done();
  const component = str(model._component_) ?? '';
  const leaf = component.split('.').pop() ?? '';
  const method = leaf.startsWith('qlora_')
    ? 'qlora'
    : leaf.startsWith('lora_')
      ? bool(model.use_dora)
        ? 'dora'
        : 'lora'
      : 'full';
  const targets: string[] = [];
  if (Array.isArray(model.lora_attn_modules))
    for (const m of model.lora_attn_modules)
      targets.push(Object.hasOwn(TT_ATTN, String(m)) ? TT_ATTN[String(m)]! : String(m));
  if (bool(model.apply_lora_to_mlp)) targets.push('gate_proj', 'up_proj', 'down_proj');
  if (bool(model.apply_lora_to_output)) targets.push('lm_head');
  const opt = isRecord(raw.optimizer) ? str(raw.optimizer._component_) : undefined;
  if (opt && !Object.hasOwn(TT_OPTIM, opt)) notes.push(`optimizer ${excerpt(opt)} not modelled; assumed adamw`);
  const loss = isRecord(raw.loss) ? (str(raw.loss._component_) ?? '') : '';
  const compile = bool(raw.compile) === true;
  const workload: TrainingWorkload = {
    method,
    ...(method !== 'full'
      ? {
          lora: {
            ...(rank !== undefined ? { rank } : {}),
            ...(alpha !== undefined ? { alpha } : {}),
            targets: targets.length ? targets : 'default',
            ...(dropout !== undefined ? { dropout } : {}),
          },
        }
      : {}),
    ...(seq !== undefined ? { seq } : {}),
    ...(microBatch !== undefined ? { microBatch } : {}),
    ...(gradAccum !== undefined ? { gradAccum } : {}),
    checkpointing: bool(raw.enable_activation_checkpointing) ? 'full' : 'none',
    ...(bool(raw.enable_activation_offloading) && bool(raw.enable_activation_checkpointing)
      ? { activationOffload: true }
      : {}),
    optimizer: opt && Object.hasOwn(TT_OPTIM, opt) ? TT_OPTIM[opt]! : 'adamw',
    ...(bool(raw.optimizer_in_bwd) ? { optimizerInBackward: true } : {}),
    // torchtune trains in the model dtype: bf16 weights and optimizer states.
    precision: str(raw.dtype) === 'fp32' ? 'fp32' : 'bf16',
    ...(compile ? { kernels: 'fused' } : {}),
    loss: loss.includes('Chunked') ? 'chunked' : 'hf',
  };
  notes.push(`torchtune model builder ${excerpt(leaf)}: pass the matching Hub model id`);
  return { framework: 'torchtune', workload, notes };
}

/**
 * Reads a trainer's config (already parsed from YAML or JSON) into a training workload: axolotl,
 * LLaMA-Factory, TRL / transformers TrainingArguments (+ TRL ModelConfig LoRA keys) or torchtune.
 * @param raw the parsed config object
 * @param framework force a format instead of detecting it from its keys
 * @returns the workload, the model id when named, and notes on what was assumed
 * @throws InvalidInputError when the object is not a config of a known trainer
 */
export function trainingFromTrainerConfig(raw: unknown, framework?: TrainerFramework): TrainerConfigResult {
  if (!isRecord(raw))
    throw new InvalidInputError([
      {
        path: 'config',
        message: 'a trainer config must be a YAML/JSON mapping',
        received: Array.isArray(raw) ? 'array' : typeof raw,
      },
    ]);
  const kind = framework ?? detect(raw);
  const notes: string[] = [];
  switch (kind) {
    case 'axolotl':
      return axolotl(raw, notes);
    case 'llama-factory':
      return llamaFactory(raw, notes);
    case 'trl':
      return trl(raw, notes);
    case 'torchtune':
      if (!isRecord(raw.model))
        throw new InvalidInputError([
          {
            path: 'config.model',
            message: 'torchtune configs have a model: { _component_: … } block',
            received: raw.model,
          },
        ]);
      return torchtune(raw, notes);
    default:
      throw new InvalidInputError([
        {
          path: 'config',
          message:
            'not an axolotl (base_model, sequence_len), LLaMA-Factory (finetuning_type, cutoff_len), TRL/TrainingArguments (per_device_train_batch_size) or torchtune (model._component_) config',
          received: Object.keys(raw).slice(0, 8),
        },
      ]);
  }
}
