import { KV_DTYPES, OPTIMIZER_IDS, PRECISION_IDS } from '@vramkit/core';
import type { CommandName, FlagScope, FlagSpec } from './flag-spec.js';
import { EMIT_TARGETS } from './serve/emit.js';

// Where flags apply. `none` is `estimate` without `--engine`: the engine-neutral inference model.
const INFER: FlagScope = { modes: ['infer'] };
const TRAIN: FlagScope = { modes: ['train'] };
const ANY: FlagScope = {};
const NEUTRAL: FlagScope = { modes: ['infer'], engines: ['none', 'transformers'] };
const ENGINE: FlagScope = { modes: ['infer'], engines: ['llama.cpp', 'vllm', 'transformers'] };
const LLAMA: FlagScope = { modes: ['infer'], engines: ['llama.cpp'] };
const VLLM: FlagScope = { modes: ['infer'], engines: ['vllm'] };

const MODEL_COMMANDS: readonly CommandName[] = ['estimate', 'fit', 'compare', 'inspect', 'plan'];
const FORMAT_COMMANDS: readonly CommandName[] = [...MODEL_COMMANDS, 'quant'];
const every = (names: readonly CommandName[], scope: FlagScope = ANY) => Object.fromEntries(names.map((n) => [n, scope])) as Partial<Record<CommandName, FlagScope>>;

/** Engine-neutral inference flags: `estimate` without `--engine`, and the transformers engine (which runs that model). */
const neutral: FlagSpec['accepts'] = { estimate: NEUTRAL, fit: { engines: ['transformers'] }, compare: { engines: ['transformers'] } };
const llama: FlagSpec['accepts'] = { estimate: LLAMA, fit: { engines: ['llama.cpp'] }, compare: { engines: ['llama.cpp'] } };
const vllm: FlagSpec['accepts'] = { estimate: VLLM, fit: { engines: ['vllm'] }, compare: { engines: ['vllm'] } };
const training: FlagSpec['accepts'] = { estimate: TRAIN, plan: ANY };

const KV_IDS = KV_DTYPES.map((d) => d.id);
// llama.cpp's --cache-type-k/-v take ggml types: no fp8 (common/arg.cpp kv_cache_types).
const LLAMA_KV_IDS = KV_IDS.filter((id) => id !== 'fp8');

/**
 * Every flag of every command, declared once. Order matters only where two flags set the same field:
 * the later one wins (`--tensor-parallel-size` over `--tp`, `--fsdp-mode` over `--fsdp`).
 */
export const FLAGS: readonly FlagSpec[] = [
  // Weight format and plugins.
  { name: 'quant', short: 'q', type: 'string', arg: '<id>', section: 'options', config: 'quant', accepts: every(MODEL_COMMANDS), to: { hub: 'quant' }, errorPaths: ['format'],
    help: 'weight format: Q4_K_M, gptq-4bit-128g, gptq@bits=3,group=64, awq, bnb-nf4, fp8-block, exl2@4.65, bf16, … (vramkit quant list); default: the file as stored, else the checkpoint\'s quantization_config, else bf16. fit: a list of candidates; inspect: each tensor\'s storage type; training: the frozen base' },
  { name: 'plugin', type: 'string', multiple: true, arg: '<pkg>', section: 'options', accepts: every(FORMAT_COMMANDS), help: 'load a weight-format package (also the config file\'s "plugins")' },
  { name: 'config', type: 'string', arg: '<path>', section: 'options', accepts: every(FORMAT_COMMANDS), help: 'CLI config file (defaults, plugins); default ./vramkit.config.json, then $XDG_CONFIG_HOME/vramkit/config.json' },
  { name: 'mode', type: 'choice', choices: ['inference', 'train'], synonyms: { infer: 'inference', training: 'train' }, arg: '<m>', section: 'options', accepts: { estimate: ANY, plan: ANY }, default: 'inference (plan: train)', help: 'inference or train' },

  // Workload (inference).
  { name: 'context', short: 'c', type: 'int', unit: 'tokens', arg: '<tokens>', section: 'options', config: 'context', default: '4096', accepts: { estimate: INFER, compare: ANY, fit: { engines: ['llama.cpp'] } }, to: { inference: 'context', serving: 'context' }, instead: { train: '--seq' },
    help: 'tokens per sequence (32k = 32768); fit: the context of the -ngl column' },
  { name: 'batch', short: 'b', type: 'int', unit: 'sequences', arg: '<n>', section: 'options', config: 'batch', default: '1', accepts: { estimate: INFER, compare: ANY }, to: { inference: 'batch', serving: 'batch' }, instead: { train: '--micro-batch' }, help: 'sequences at once' },
  { name: 'contexts', type: 'list', item: 'int', unit: 'tokens', arg: '<a,b,…>', section: 'options', default: '4k,8k,32k,128k up to the model\'s limit', accepts: { fit: ANY }, help: 'contexts to tabulate' },
  { name: 'kv-dtype', type: 'choice', choices: KV_IDS, arg: '<t>', section: 'options', config: 'kvDtype', default: 'f16', accepts: neutral, to: { inference: 'kvDtype', serving: 'transformers.kvDtype' }, instead: { 'llama.cpp': '--cache-type-k/--cache-type-v', vllm: '--kv-cache-dtype' }, help: `KV cache dtype: ${KV_IDS.join(' ')}` },
  { name: 'k-dtype', type: 'choice', choices: KV_IDS, arg: '<t>', section: 'options', accepts: neutral, to: { inference: 'kDtype', serving: 'transformers.kDtype' }, help: 'K cache dtype, apart from V' },
  { name: 'v-dtype', type: 'choice', choices: KV_IDS, arg: '<t>', section: 'options', accepts: neutral, to: { inference: 'vDtype', serving: 'transformers.vDtype' }, help: 'V cache dtype, apart from K' },
  { name: 'attention', type: 'choice', choices: ['flash', 'naive'], arg: '<a>', section: 'options', config: 'attention', default: 'flash', accepts: { ...neutral, estimate: [NEUTRAL, TRAIN], plan: ANY }, to: { inference: 'attention', serving: 'transformers.attention', training: 'attention' },
    help: 'flash (no L² term) or naive (materialized scores)' },
  { name: 'logits', type: 'choice', choices: ['all', 'last', 'none'], arg: '<l>', section: 'options', default: 'last', accepts: neutral, to: { inference: 'logits', serving: 'transformers.logits' }, help: 'last (generation), all (plain forward: fp32 logits for every prompt token), none' },
  { name: 'prefill-chunk', type: 'int', unit: 'tokens', arg: '<n>', section: 'options', default: 'the whole context', accepts: neutral, to: { inference: 'prefillChunk', serving: 'transformers.prefillChunk' }, help: 'tokens per forward pass of the prompt' },
  { name: 'force-mha', type: 'bool', section: 'options', accepts: neutral, to: { inference: 'forceMha', serving: 'transformers.forceMha' }, help: 'cache as many KV heads as query heads (the naive calculators\' error, to compare)' },
  { name: 'ignore-windows', type: 'bool', section: 'options', accepts: neutral, to: { inference: 'ignoreWindows', serving: 'transformers.ignoreWindows' }, help: 'cache every token on sliding-window layers too' },
  { name: 'cuda-context', type: 'bytes', arg: '<size>', section: 'options', default: '512MiB', accepts: neutral, to: { inference: 'overhead.contextBytes', serving: 'transformers.overhead.contextBytes' }, help: 'runtime context overhead' },
  { name: 'allocator-fraction', type: 'number', min: 0, max: 1, arg: '<f>', section: 'options', default: '0.05', accepts: neutral, to: { inference: 'overhead.allocatorFraction', serving: 'transformers.overhead.allocatorFraction' }, help: 'allocator share of KV + activations' },
  { name: 'tensors', type: 'bool', section: 'options', accepts: { inspect: ANY }, help: 'list every tensor with its shape' },

  // Engines.
  { name: 'engine', type: 'string', arg: '<e>', section: 'engine', accepts: { estimate: INFER, fit: ANY, compare: ANY }, default: 'none (estimate), llama.cpp (fit), llama.cpp,vllm (compare)', help: 'llama.cpp | vllm | transformers (compare: a list)' },
  { name: 'gpu', type: 'string', multiple: true, arg: '<id>', section: 'engine', errorPaths: ['gpu', 'gpus'], accepts: { estimate: [ENGINE, TRAIN], fit: ANY, compare: ANY, plan: ANY }, help: 'a catalogue GPU (vramkit gpus); several split the model (llama.cpp layers, vLLM ranks)' },
  { name: 'gpu-memory', type: 'bytes', multiple: true, arg: '<size>', section: 'engine', errorPaths: ['gpuMemoryBytes'], accepts: { estimate: [ENGINE, TRAIN], fit: ANY, compare: ANY, plan: ANY }, help: 'an exact capacity instead, e.g. 23.58GiB or 24GB' },
  { name: 'emit', type: 'choice', choices: EMIT_TARGETS, arg: '<e>', section: 'engine', accepts: { estimate: ENGINE }, help: 'print the launch command: llama-server | vllm | ollama' },
  // llama.cpp (common/arg.cpp names).
  { name: 'ctx-size', type: 'int', min: 0, unit: 'tokens', arg: '<n>', section: 'llama.cpp', default: 'context × parallel', accepts: llama, to: { serving: 'llamaCpp.ctxSize' }, instead: { none: '--context', vllm: '--max-model-len', transformers: '--context' }, help: 'KV cells in total (llama.cpp -c)' },
  { name: 'batch-size', type: 'int', unit: 'tokens', arg: '<n>', section: 'llama.cpp', default: '2048', accepts: llama, to: { serving: 'llamaCpp.batchSize' }, help: 'logical batch (llama.cpp -b)' },
  { name: 'ubatch-size', aliases: ['-ub'], type: 'int', unit: 'tokens', arg: '<n>', section: 'llama.cpp', default: '512', accepts: llama, to: { serving: 'llamaCpp.ubatchSize' }, help: 'physical batch' },
  { name: 'parallel', aliases: ['-np'], type: 'int', unit: 'sequences', arg: '<n>', section: 'llama.cpp', default: 'batch', accepts: llama, to: { serving: 'llamaCpp.parallel' }, help: 'sequences served at once' },
  { name: 'flash-attn', aliases: ['-fa'], type: 'choice', choices: ['on', 'off', 'auto'], synonyms: { true: 'on', false: 'off', 1: 'on', 0: 'off' }, arg: '<on|off|auto>', section: 'llama.cpp', accepts: { ...llama, ...training, estimate: [LLAMA, TRAIN] }, to: { serving: 'llamaCpp.flashAttn' },
    help: 'flash attention (training: on (default) or off, which stores the s×s attention probabilities)' },
  { name: 'cache-type-k', aliases: ['-ctk'], type: 'choice', choices: LLAMA_KV_IDS, arg: '<t>', section: 'llama.cpp', default: 'f16', accepts: llama, to: { serving: 'llamaCpp.cacheTypeK' }, instead: { none: '--k-dtype', transformers: '--k-dtype', vllm: '--kv-cache-dtype' }, help: 'K cache type' },
  { name: 'cache-type-v', aliases: ['-ctv'], type: 'choice', choices: LLAMA_KV_IDS, arg: '<t>', section: 'llama.cpp', default: 'f16', accepts: llama, to: { serving: 'llamaCpp.cacheTypeV' }, instead: { none: '--v-dtype', transformers: '--v-dtype', vllm: '--kv-cache-dtype' }, help: 'V cache type' },
  { name: 'n-gpu-layers', aliases: ['-ngl'], type: 'int', min: 0, unit: 'layers', arg: '<n>', section: 'llama.cpp', default: 'the most that fit', accepts: llama, to: { serving: 'llamaCpp.nGpuLayers' }, help: 'layers on the GPU' },
  { name: 'tensor-split', aliases: ['-ts'], type: 'list', item: 'number', min: 0, separator: /[,/]/, arg: '<3,1>', section: 'llama.cpp', default: '∝ GPU memory', accepts: llama, to: { serving: 'llamaCpp.tensorSplit' }, help: 'proportions of the offloaded layers per GPU' },
  { name: 'kv-unified', type: 'bool', section: 'llama.cpp', accepts: llama, to: { serving: 'llamaCpp.kvUnified' }, help: 'one KV buffer shared by all sequences' },
  // vLLM (vllm/engine/arg_utils.py names). --tp is also the training tensor-parallel degree.
  { name: 'max-model-len', type: 'int', unit: 'tokens', arg: '<n>', section: 'vllm', default: 'the model\'s maximum', accepts: vllm, to: { serving: 'vllm.maxModelLen' }, help: 'longest sequence' },
  { name: 'gpu-memory-utilization', type: 'number', min: 0.01, max: 1, arg: '<f>', section: 'vllm', default: '0.9', accepts: vllm, to: { serving: 'vllm.gpuMemoryUtilization' }, help: 'share of GPU memory vLLM budgets' },
  { name: 'max-num-seqs', type: 'int', unit: 'sequences', arg: '<n>', section: 'vllm', accepts: vllm, to: { serving: 'vllm.maxNumSeqs' }, help: 'sequences scheduled at once' },
  { name: 'max-num-batched-tokens', type: 'int', unit: 'tokens', arg: '<n>', section: 'vllm', accepts: vllm, to: { serving: 'vllm.maxNumBatchedTokens' }, help: 'tokens of the profiling forward pass' },
  { name: 'tp', type: 'int', unit: 'GPUs', arg: '<n>', section: 'vllm', accepts: { ...vllm, ...training, estimate: [VLLM, TRAIN] }, to: { serving: 'vllm.tensorParallelSize', training: 'parallel.tp' }, help: 'tensor-parallel degree (vLLM and training)' },
  { name: 'tensor-parallel-size', type: 'int', unit: 'GPUs', arg: '<n>', section: 'vllm', default: '1', accepts: vllm, to: { serving: 'vllm.tensorParallelSize' }, help: 'tensor-parallel degree' },
  { name: 'pipeline-parallel-size', type: 'int', unit: 'GPUs', arg: '<n>', section: 'vllm', default: '1', accepts: vllm, to: { serving: 'vllm.pipelineParallelSize' }, help: 'pipeline-parallel degree' },
  { name: 'kv-cache-dtype', type: 'string', arg: '<t>', section: 'vllm', default: 'auto', accepts: vllm, to: { serving: 'vllm.kvCacheDtype' }, instead: { none: '--kv-dtype', transformers: '--kv-dtype', 'llama.cpp': '--cache-type-k/--cache-type-v' }, help: 'auto, fp8, fp8_e4m3, fp8_e5m2, bfloat16' },
  { name: 'block-size', type: 'int', unit: 'tokens', arg: '<n>', section: 'vllm', default: '16', accepts: vllm, to: { serving: 'vllm.blockSize' }, help: 'tokens per KV block' },
  { name: 'enforce-eager', type: 'bool', section: 'vllm', accepts: vllm, to: { serving: 'vllm.enforceEager' }, help: 'no CUDA graphs' },
  { name: 'disable-hybrid-kv-cache-manager', type: 'bool', section: 'vllm', accepts: vllm, to: { serving: 'vllm.disableHybridKvCacheManager' }, help: 'one KV layout for every layer' },

  // Training (estimate --mode train, plan).
  { name: 'method', type: 'choice', choices: ['full', 'lora', 'qlora', 'dora'], arg: '<m>', section: 'training', default: 'full', accepts: training, to: { training: 'method' }, help: 'full, lora, qlora, dora' },
  { name: 'rank', type: 'int', arg: '<r>', section: 'training', default: '16', accepts: training, to: { training: 'lora.rank' }, help: 'LoRA rank' },
  { name: 'alpha', type: 'number', min: 0, max: 1e9, arg: '<a>', section: 'training', accepts: training, to: { training: 'lora.alpha' }, help: 'LoRA alpha (echoed; no memory effect)' },
  { name: 'targets', type: 'list', arg: '<list>', section: 'training', default: 'all-linear', accepts: training, to: { training: 'lora.targets' }, help: 'module names (q_proj,v_proj,…), all-linear or default (peft\'s per-model default)' },
  { name: 'modules-to-save', type: 'list', arg: '<list>', section: 'training', accepts: training, to: { training: 'lora.modulesToSave' }, help: 'modules trained in full beside the adapters (e.g. lm_head,embed_tokens)' },
  { name: 'lora-dropout', type: 'number', min: 0, max: 1, arg: '<p>', section: 'training', accepts: training, to: { training: 'lora.dropout' }, help: 'adapter dropout (>0 keeps a dropped copy of each adapted input)' },
  { name: 'optimizer', type: 'choice', choices: OPTIMIZER_IDS, arg: '<o>', section: 'training', accepts: training, to: { training: 'optimizer' }, help: OPTIMIZER_IDS.join(', ') },
  { name: 'precision', type: 'choice', choices: PRECISION_IDS, arg: '<p>', section: 'training', default: 'bf16-mixed', accepts: training, to: { training: 'precision' }, help: PRECISION_IDS.join(', ') },
  { name: 'seq', type: 'int', unit: 'tokens', arg: '<tokens>', section: 'training', default: '2048', accepts: training, to: { training: 'seq' }, help: 'sequence length' },
  { name: 'micro-batch', type: 'int', unit: 'sequences', arg: '<n>', section: 'training', default: '1', accepts: training, to: { training: 'microBatch' }, help: 'sequences per GPU step' },
  { name: 'grad-accum', type: 'int', arg: '<n>', section: 'training', accepts: training, to: { training: 'gradAccum' }, help: 'gradient accumulation steps (no extra memory; bounds pipeline micro-batches)' },
  { name: 'checkpointing', type: 'choice', choices: ['none', 'selective', 'full'], arg: '<c>', section: 'training', default: 'none', accepts: training, to: { training: 'checkpointing' }, help: 'activation checkpointing' },
  { name: 'checkpoint-every', type: 'int', unit: 'layers', arg: '<k>', section: 'training', accepts: training, to: { training: 'checkpointEvery' }, help: 'checkpoint every k layers' },
  { name: 'kernels', type: 'choice', choices: ['eager', 'fused'], arg: '<k>', section: 'training', default: 'eager', accepts: training, to: { training: 'kernels' }, help: 'eager HF modules or fused/compiled kernels (Liger, torch.compile, Megatron)' },
  { name: 'loss', type: 'choice', choices: ['hf', 'chunked', 'fused'], arg: '<l>', section: 'training', default: 'hf', accepts: training, to: { training: 'loss' }, help: 'cross-entropy: full fp32 logits, chunked (torchtune), fused (Liger, CCE)' },
  { name: 'gpus', type: 'int', unit: 'GPUs', arg: '<n>', section: 'training', default: '1', accepts: training, to: { training: 'parallel.gpus' }, help: 'GPUs' },
  { name: 'zero', type: 'int', min: 0, max: 3, arg: '<0-3>', section: 'training', accepts: training, to: { training: 'parallel.zero' }, help: 'DeepSpeed ZeRO stage' },
  { name: 'fsdp', type: 'bool', value: 'full', section: 'training', accepts: training, to: { training: 'parallel.fsdp' }, help: 'PyTorch FSDP full shard' },
  { name: 'fsdp-mode', type: 'choice', choices: ['full', 'grad-op', 'hybrid'], arg: '<m>', section: 'training', accepts: training, to: { training: 'parallel.fsdp' }, help: 'FSDP sharding: full, grad-op, hybrid' },
  { name: 'pp', type: 'int', arg: '<n>', section: 'training', accepts: training, to: { training: 'parallel.pp' }, help: 'pipeline-parallel degree' },
  { name: 'cp', type: 'int', arg: '<n>', section: 'training', accepts: training, to: { training: 'parallel.cp' }, help: 'context-parallel degree' },
  { name: 'ep', type: 'int', arg: '<n>', section: 'training', accepts: training, to: { training: 'parallel.ep' }, help: 'expert-parallel degree' },
  { name: 'sp', type: 'bool', section: 'training', accepts: training, to: { training: 'parallel.sequenceParallel' }, help: 'sequence parallelism' },
  { name: 'offload', type: 'choice', choices: ['none', 'optimizer', 'optimizer+params'], synonyms: { params: 'optimizer+params', all: 'optimizer+params' }, arg: '<o>', section: 'training', accepts: training, to: { training: 'parallel.offload' }, help: 'ZeRO-Offload / Infinity' },
  { name: 'offload-device', type: 'choice', choices: ['cpu', 'nvme'], arg: '<d>', section: 'training', accepts: training, to: { training: 'parallel.offloadDevice' }, help: 'cpu or nvme' },
  { name: 'optimizer-in-backward', type: 'bool', section: 'training', accepts: training, to: { training: 'optimizerInBackward' }, help: 'fuse the optimizer step into backward (torchtune optimizer_in_bwd)' },
  { name: 'activation-offload', type: 'bool', section: 'training', accepts: training, to: { training: 'activationOffload' }, help: 'offload checkpointed activations to CPU (needs --checkpointing full)' },
  { name: 'paged-evicted', type: 'bool', value: 'evicted', section: 'training', accepts: training, to: { training: 'pagedOptimizer' }, help: 'count paged optimizer states as evicted to CPU' },
  { name: 'kbit-upcast', type: 'bool', section: 'training', accepts: training, to: { training: 'kbitUpcast' }, help: 'QLoRA with peft prepare_model_for_kbit_training (fp32 norms/embeddings)' },
  { name: 'dropout', type: 'bool', section: 'training', accepts: training, to: { training: 'dropout' }, help: 'pre-training style dropout (masks + dropped attention probabilities)' },
  { name: 'softmax', type: 'choice', choices: ['fp32', 'compute'], arg: '<s>', section: 'training', default: 'fp32', accepts: training, to: { training: 'softmax' }, help: 'naive attention softmax dtype: fp32 (HF eager) or compute (Megatron)' },
  { name: 'moe-capacity-factor', type: 'number', min: 1, max: 64, arg: '<f>', section: 'training', default: 'dropless', accepts: training, to: { training: 'moeCapacityFactor' }, help: 'pad MoE expert buffers (Switch/GShard capacity)' },
  { name: 'optimizer-impl', type: 'choice', choices: ['fused', 'foreach'], arg: '<i>', section: 'training', default: 'fused', accepts: training, to: { training: 'optimizerImpl' }, help: 'fused, or foreach (torch\'s default: one state-sized temporary in step)' },
  { name: 'from', type: 'string', arg: '<train.yaml>', section: 'training', accepts: training, help: 'read an axolotl, LLaMA-Factory, TRL/TrainingArguments or torchtune config; flags override it' },
  { name: 'methods', type: 'list', choices: ['full', 'lora', 'qlora', 'dora'], arg: '<list>', section: 'training', default: '--method, else full,lora,qlora', accepts: { plan: ANY }, help: 'methods to consider' },
  { name: 'max-gpus', type: 'int', unit: 'GPUs', arg: '<n>', section: 'training', default: '64', accepts: { plan: ANY }, help: 'largest GPU count to try' },
  { name: 'margin', type: 'choice', choices: ['expected', 'high'], arg: '<m>', section: 'training', default: 'expected', accepts: { plan: ANY }, help: 'fit the expected total or the high end of the band' },

  // Loading from the Hugging Face Hub. HF_TOKEN and HF_ENDPOINT come from the environment (tokens stay out of shell history).
  { name: 'revision', type: 'string', arg: '<ref>', section: 'hub', default: 'main', accepts: every(MODEL_COMMANDS), to: { hub: 'revision' }, help: 'branch, tag or commit sha' },
  { name: 'offline', type: 'bool', section: 'hub', accepts: every(MODEL_COMMANDS), to: { hub: 'offline' }, help: 'never use the network: the cache, then the embedded catalogue (also HF_HUB_OFFLINE=1)' },
  { name: 'file', type: 'string', arg: '<name>', section: 'hub', accepts: every(MODEL_COMMANDS), to: { hub: 'file' }, help: 'a GGUF file of the repository (any part of a split set)' },
  { name: 'exact', type: 'bool', section: 'hub', accepts: every(MODEL_COMMANDS), to: { hub: 'exact' }, help: 'read every safetensors header (range requests; weights are never downloaded)' },
  { name: 'timeout', type: 'int', unit: 'seconds', scale: 1000, arg: '<s>', section: 'hub', default: '20', accepts: every(MODEL_COMMANDS), to: { hub: 'timeoutMs' }, help: 'seconds per request attempt' },
  { name: 'no-cache', type: 'bool', section: 'hub', accepts: every(MODEL_COMMANDS), to: { hub: 'noCache' }, help: 'do not read or write the on-disk cache (vramkit cache list|clear)' },

  // Listing commands.
  { name: 'segment', type: 'choice', choices: ['consumer', 'laptop', 'workstation', 'datacenter', 'apple'], arg: '<s>', section: 'options', accepts: { gpus: ANY }, help: 'only GPUs of one segment' },
  { name: 'sources', type: 'bool', section: 'options', accepts: { gpus: ANY }, help: 'name each figure\'s source' },
  { name: 'dir', type: 'string', arg: '<path>', section: 'options', accepts: { cache: ANY }, help: 'the cache directory' },
  { name: 'json', type: 'bool', section: 'options', accepts: every(['estimate', 'fit', 'compare', 'gpus', 'inspect', 'models', 'plan', 'quant', 'cache']), help: 'machine-readable output (vramkit schema); errors too, as {"error":{code,path,message}}' },
];

/** The flag named `name` (long name without dashes). */
export function flagSpec(name: string): FlagSpec | undefined {
  return BY_NAME.get(name);
}

const BY_NAME = new Map(FLAGS.map((f) => [f.name, f]));

/** The scopes of `command` in which the flag applies (empty: not a flag of the command). */
export function scopesOf(spec: FlagSpec, command: CommandName): readonly FlagScope[] {
  const s = spec.accepts[command];
  if (s === undefined) return [];
  return Array.isArray(s) ? s : [s as FlagScope];
}

/** The flags `command` accepts in some mode or engine, in table order. */
export function flagsOf(command: CommandName): FlagSpec[] {
  return FLAGS.filter((f) => scopesOf(f, command).length > 0);
}
