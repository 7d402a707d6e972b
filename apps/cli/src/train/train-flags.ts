import { CHECKPOINTING_IDS, gpuCapacityBytes, lookupGpu, OPTIMIZER_IDS, PRECISION_IDS, parseBytes, type TrainingWorkload } from '@vramkit/core';
import type { CommandArgs } from '../command.js';
import { UsageError } from '../errors.js';
import { boolFlag, choiceFlag, intFlag, numberFlag, stringFlag } from '../flags.js';

type Values = CommandArgs['values'];

/**
 * Flags of `vramkit estimate --mode train` and `vramkit plan`. `gpu`, `gpu-memory`, `tp` and
 * `flash-attn` have the same types as the serving flags, so the option tables merge.
 */
export const trainOptions = {
  method: { type: 'string' },
  rank: { type: 'string' },
  alpha: { type: 'string' },
  targets: { type: 'string' },
  'modules-to-save': { type: 'string' },
  'lora-dropout': { type: 'string' },
  optimizer: { type: 'string' },
  precision: { type: 'string' },
  seq: { type: 'string' },
  'micro-batch': { type: 'string' },
  'grad-accum': { type: 'string' },
  checkpointing: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'flash-attn': { type: 'string' },
  kernels: { type: 'string' },
  loss: { type: 'string' },
  'expert-layout': { type: 'string' },
  'adapter-dtype': { type: 'string' },
  gpus: { type: 'string' },
  zero: { type: 'string' },
  fsdp: { type: 'boolean' },
  'fsdp-mode': { type: 'string' },
  tp: { type: 'string' },
  pp: { type: 'string' },
  cp: { type: 'string' },
  ep: { type: 'string' },
  sp: { type: 'boolean' },
  offload: { type: 'string' },
  'offload-device': { type: 'string' },
  'optimizer-in-backward': { type: 'boolean' },
  'activation-offload': { type: 'boolean' },
  'paged-evicted': { type: 'boolean' },
  'kbit-upcast': { type: 'boolean' },
  'optimizer-impl': { type: 'string' },
  'moe-capacity-factor': { type: 'string' },
  dropout: { type: 'boolean' },
  softmax: { type: 'string' },
  from: { type: 'string' },
  gpu: { type: 'string', multiple: true },
  'gpu-memory': { type: 'string', multiple: true },
} as const;

/** Help lines for the training flags, shared by `estimate --help` and `plan --help`. */
export const TRAIN_HELP = `Training (--mode train):
      --method <m>            full (default), lora, qlora, dora
      --rank <r>              LoRA rank (default 16)       --alpha <a>  LoRA alpha (echoed; no memory effect)
      --targets <list>        module names (q_proj,v_proj,…), all-linear (default) or default (peft's per-model default)
      --modules-to-save <l>   modules trained in full beside the adapters (e.g. lm_head,embed_tokens)
      --lora-dropout <p>      adapter dropout (>0 keeps a dropped copy of each adapted input)
      --optimizer <o>         ${OPTIMIZER_IDS.join(', ')}
      --precision <p>         ${PRECISION_IDS.join(', ')} (default bf16-mixed)
      --seq <tokens>          sequence length (default 2048)   --micro-batch <n>  sequences per GPU step (default 1)
      --grad-accum <n>        gradient accumulation steps (no extra memory; bounds pipeline micro-batches)
      --checkpointing <c>     none (default), full, hf (transformers gradient_checkpointing), unsloth (offloaded),
                              megatron-selective (attention core), torchtitan-op (op-level), every:<k> (full, every k layers)
      --checkpoint-every <k>  checkpoint every k layers
      --adapter-dtype <d>     LoRA adapter dtype: compute (torchtune, default) or fp32 (peft's autocast_adapter_dtype)
      --expert-layout <l>     LoRA on MoE experts: fused (transformers ≥ 5, default) or split (< 5: one linear per expert)
      --flash-attn on|off     flash attention (default on); off stores the s×s attention probabilities
      --kernels eager|fused   eager HF modules (default) or fused/compiled kernels (Liger, torch.compile, Megatron)
      --loss <l>              cross-entropy: hf (full fp32 logits, default); chunked = torchtune-chunked
                              (CEWithChunkedOutputLoss) or LinearCrossEntropyLoss (torchtune, chunked over tokens);
                              fused = liger (FusedLinearCrossEntropy) or cce (cut-cross-entropy): logits never stored
      --gpus <n>              GPUs (default 1)      --zero 0-3  DeepSpeed ZeRO stage
      --fsdp                  PyTorch FSDP full shard   --fsdp-mode full|grad-op|hybrid
      --tp/--pp/--cp/--ep <n> tensor / pipeline / context / expert parallel degrees   --sp  sequence parallelism
      --offload <o>           none, optimizer, optimizer+params (ZeRO-Offload / Infinity)   --offload-device cpu|nvme
      --optimizer-in-backward fuse the optimizer step into backward (torchtune optimizer_in_bwd)
      --activation-offload    offload checkpointed activations to CPU (needs --checkpointing full)
      --paged-evicted         count paged optimizer states as evicted to CPU
      --kbit-upcast           QLoRA with peft prepare_model_for_kbit_training (fp32 norms/embeddings)
      --dropout               pre-training style dropout (masks + dropped attention probabilities)
      --softmax fp32|compute  naive attention softmax dtype: fp32 (HF eager, default) or compute (Megatron)
      --moe-capacity-factor <f> pad MoE expert buffers (Switch/GShard capacity); default dropless
      --optimizer-impl <i>    fused (default) or foreach (torch's default: one state-sized temporary in step)
      --from <train.yaml>     read an axolotl, LLaMA-Factory, TRL/TrainingArguments or torchtune config; flags override it
      --gpu <id> / --gpu-memory <size>  check the per-GPU total against a GPU (exit code 1 when it does not fit)
`;

function first(values: Values, name: string): string | undefined {
  const v = values[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * The GPU memory the user named with `--gpu <id>` (GPU catalogue) or `--gpu-memory <size>`.
 * @returns bytes and a label, or undefined when neither flag is given
 * @throws UsageError / NoSuchGpuError
 */
export function gpuMemoryFrom(values: Values): { bytes: number; label: string } | undefined {
  const mem = first(values, 'gpu-memory');
  if (mem !== undefined) {
    const n = parseBytes(mem);
    if (n === undefined || n <= 0) throw new UsageError(`--gpu-memory must be a size such as 80GiB or 24GB (got "${mem}")`, 'gpu-memory');
    return { bytes: Math.floor(n), label: mem };
  }
  const id = first(values, 'gpu');
  if (id === undefined) return undefined;
  const gpu = lookupGpu(id);
  return { bytes: gpuCapacityBytes(gpu), label: gpu.id };
}

function list(values: Values, name: string): string[] | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError(`--${name} needs at least one name`, name);
  return items;
}

/**
 * The training workload from flags, on top of one read from a trainer config (`--from`): flags win.
 * Only flags that were given are set; core applies and echoes the defaults.
 * @throws UsageError naming the flag
 */
export function trainingWorkloadFrom(values: Values, base: TrainingWorkload = {}): TrainingWorkload {
  const method = choiceFlag(values, 'method', ['full', 'lora', 'qlora', 'dora'] as const);
  const targetsRaw = stringFlag(values, 'targets');
  const targets: string[] | 'all-linear' | 'default' | undefined =
    targetsRaw === undefined ? undefined : targetsRaw === 'all-linear' || targetsRaw === 'default' ? targetsRaw : list(values, 'targets');
  const lora = {
    ...base.lora,
    ...(intFlag(values, 'rank') !== undefined ? { rank: intFlag(values, 'rank')! } : {}),
    ...(numberFlag(values, 'alpha', 0, 1e9) !== undefined ? { alpha: numberFlag(values, 'alpha', 0, 1e9)! } : {}),
    ...(targets !== undefined ? { targets } : {}),
    ...(list(values, 'modules-to-save') ? { modulesToSave: list(values, 'modules-to-save')! } : {}),
    ...(numberFlag(values, 'lora-dropout', 0, 1) !== undefined ? { dropout: numberFlag(values, 'lora-dropout', 0, 1)! } : {}),
    ...(choiceFlag(values, 'adapter-dtype', ['compute', 'fp32'] as const) ? { adapterDtype: choiceFlag(values, 'adapter-dtype', ['compute', 'fp32'] as const)! } : {}),
    ...(choiceFlag(values, 'expert-layout', ['fused', 'split'] as const) ? { expertLayout: choiceFlag(values, 'expert-layout', ['fused', 'split'] as const)! } : {}),
  };
  const zero = intFlag(values, 'zero', 0);
  if (zero !== undefined && zero > 3) throw new UsageError(`--zero must be 0, 1, 2 or 3 (got ${zero})`, 'zero');
  const fsdpMode = choiceFlag(values, 'fsdp-mode', ['full', 'grad-op', 'hybrid'] as const);
  const offloadRaw = stringFlag(values, 'offload');
  const offload = offloadRaw === undefined ? undefined : offloadRaw === 'params' || offloadRaw === 'all' ? 'optimizer+params' : choiceFlag(values, 'offload', ['none', 'optimizer', 'optimizer+params'] as const);
  const flash = stringFlag(values, 'flash-attn');
  if (flash !== undefined && !['on', 'off', 'true', 'false', '1', '0'].includes(flash)) throw new UsageError(`--flash-attn must be on or off (got "${flash}")`, 'flash-attn');
  const attention = flash === undefined ? choiceFlag(values, 'attention', ['flash', 'naive'] as const) : ['on', 'true', '1'].includes(flash) ? 'flash' : 'naive';
  const parallel = {
    ...base.parallel,
    ...(intFlag(values, 'gpus') !== undefined ? { gpus: intFlag(values, 'gpus')! } : {}),
    ...(zero !== undefined ? { zero: zero as 0 | 1 | 2 | 3 } : {}),
    ...(boolFlag(values, 'fsdp') || fsdpMode ? { fsdp: fsdpMode ?? 'full' } : {}),
    ...(intFlag(values, 'tp') !== undefined ? { tp: intFlag(values, 'tp')! } : {}),
    ...(intFlag(values, 'pp') !== undefined ? { pp: intFlag(values, 'pp')! } : {}),
    ...(intFlag(values, 'cp') !== undefined ? { cp: intFlag(values, 'cp')! } : {}),
    ...(intFlag(values, 'ep') !== undefined ? { ep: intFlag(values, 'ep')! } : {}),
    ...(boolFlag(values, 'sp') ? { sequenceParallel: true } : {}),
    ...(offload ? { offload } : {}),
    ...(choiceFlag(values, 'offload-device', ['cpu', 'nvme'] as const) ? { offloadDevice: choiceFlag(values, 'offload-device', ['cpu', 'nvme'] as const)! } : {}),
  };
  const pick = <K extends keyof TrainingWorkload>(key: K, value: TrainingWorkload[K] | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    ...base,
    ...pick('method', method),
    lora,
    ...pick('optimizer', choiceFlag(values, 'optimizer', OPTIMIZER_IDS)),
    ...pick('precision', choiceFlag(values, 'precision', PRECISION_IDS)),
    ...pick('seq', intFlag(values, 'seq')),
    ...pick('microBatch', intFlag(values, 'micro-batch')),
    ...pick('gradAccum', intFlag(values, 'grad-accum')),
    ...checkpointingFrom(values),
    ...pick('attention', attention),
    ...pick('kernels', choiceFlag(values, 'kernels', ['eager', 'fused'] as const)),
    ...pick('loss', lossFrom(values)),
    ...(boolFlag(values, 'dropout') ? { dropout: true } : {}),
    ...pick('softmax', choiceFlag(values, 'softmax', ['fp32', 'compute'] as const)),
    ...pick('moeCapacityFactor', numberFlag(values, 'moe-capacity-factor', 1, 64)),
    ...pick('optimizerImpl', choiceFlag(values, 'optimizer-impl', ['fused', 'foreach'] as const)),
    ...(boolFlag(values, 'optimizer-in-backward') ? { optimizerInBackward: true } : {}),
    ...(boolFlag(values, 'activation-offload') ? { activationOffload: true } : {}),
    ...(boolFlag(values, 'paged-evicted') ? { pagedOptimizer: 'evicted' as const } : {}),
    ...(boolFlag(values, 'kbit-upcast') ? { kbitUpcast: true } : {}),
    parallel,
  };
}

// Loss names as the frameworks spell them, each mapped to how its logits are held.
const LOSS_NAMES: Record<string, 'hf' | 'chunked' | 'fused'> = {
  hf: 'hf',
  chunked: 'chunked',
  'torchtune-chunked': 'chunked',
  linearcrossentropyloss: 'chunked',
  fused: 'fused',
  liger: 'fused',
  cce: 'fused',
};

function lossFrom(values: Values): 'hf' | 'chunked' | 'fused' | undefined {
  const raw = stringFlag(values, 'loss');
  if (raw === undefined) return undefined;
  const loss = LOSS_NAMES[raw.toLowerCase()];
  if (!loss) throw new UsageError(`--loss must be one of hf, torchtune-chunked, LinearCrossEntropyLoss, liger, cce (got "${raw}")`, 'loss');
  return loss;
}

/** `--checkpointing <policy>` and `every:<k>` (full checkpointing of every k-th layer), with `--checkpoint-every`. */
function checkpointingFrom(values: Values): Pick<TrainingWorkload, 'checkpointing' | 'checkpointEvery'> {
  const raw = stringFlag(values, 'checkpointing');
  const every = intFlag(values, 'checkpoint-every');
  const m = raw === undefined ? null : /^every:(\d+)$/.exec(raw);
  if (m) {
    const k = Number(m[1]);
    if (k < 1) throw new UsageError(`--checkpointing every:<k> needs k ≥ 1 (got "${raw}")`, 'checkpointing');
    return { checkpointing: 'full', checkpointEvery: k };
  }
  const policy = choiceFlag(values, 'checkpointing', CHECKPOINTING_IDS);
  return { ...(policy ? { checkpointing: policy } : {}), ...(every !== undefined ? { checkpointEvery: every } : {}) };
}
