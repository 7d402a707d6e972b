import type { WeightFormat } from '../formats/weight-format.js';
import type { ServingEstimate } from './estimate-serving.js';
import { type GpuSpec, gpuCapacityBytes } from './gpus.js';
import type { ServingOptions } from './serving.js';
import { vllmDefaults } from './vllm.js';

/** Launch commands the engine profiles build: `llama-server` and an Ollama Modelfile (llama.cpp), `vllm serve`, a transformers script. */
export const LAUNCH_TARGETS = ['llama-server', 'ollama', 'vllm', 'transformers'] as const;
export type LaunchTarget = (typeof LAUNCH_TARGETS)[number];

/** What a launch line is built from: the serving question, its estimate, and the model as the user named it. */
export interface LaunchInput {
  options: ServingOptions;
  /** The estimate of `options` (for llama.cpp, run with the `-ngl` that fits). */
  estimate: ServingEstimate;
  /** The model argument as given: a Hub repository id or a `.gguf` path. */
  model: string;
  /** The draft model argument as given (speculative decoding with a separate draft model). */
  draftModel?: string;
}

const isFile = (model: string) => /\.gguf$/i.test(model);

/** The draft model's name when it was prepared with one (a Hub id or path). */
function draftName(s: NonNullable<ServingOptions['speculative']>): string | undefined {
  const d = s.draft;
  return d && 'kind' in d && d.kind === 'prepared-model' ? d.name : undefined;
}

/** A GGUF file type names the file in a Hub repository (`repo:Q4_K_M`); other formats are not a tag. */
const GGUF_TAG = /^(Q\d|IQ\d|TQ\d|F16$|BF16$|F32$|MXFP4)/;

/** `-hf repo:Q4_K_M` or `-m file.gguf`: llama.cpp (common/arg.cpp) fetches a repository's file of that type. */
function ggufSource(model: string, format: WeightFormat | undefined): { file: boolean; ref: string } {
  if (isFile(model)) return { file: true, ref: model };
  // ggml:F16 is the F16 file type (the tag GGUF repositories use); pure quantized ggml:<TYPE> recipes have none.
  const id = format?.id.replace(/^ggml:(F16|BF16|F32)$/, '$1');
  const tag = id && GGUF_TAG.test(id) ? `:${id}` : '';
  return { file: false, ref: `${model}${tag}` };
}

/** Quotes a shell word when it holds anything beyond a safe set. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `llama-server` (tools/server, common/arg.cpp flag names) with every setting the estimate used: `-c`
 * (total cells: context per sequence × `-np`), `-np`, `-ngl`, `-fa`, the K and V cache types, `-b`/`-ub`,
 * `--tensor-split`, `--kv-unified`, and a draft model's `-md`/`-hfd`, `-ngld`, `-ctkd`/`-ctvd`, `--spec-draft-n-max`,
 * `--spec-draft-n-min` and `--spec-draft-p-min` (this llama.cpp refuses the removed `--draft-max`).
 */
export function llamaServerLine({ options: o, estimate: e, model, draftModel }: LaunchInput): string {
  const l = o.llamaCpp ?? {};
  const src = ggufSource(model, o.format);
  const parallel = l.parallel ?? e.batch;
  const args = [
    'llama-server',
    src.file ? `-m ${shellWord(src.ref)}` : `-hf ${shellWord(src.ref)}`,
    `-c ${l.ctxSize ?? e.context * parallel}`,
    `-np ${parallel}`,
    `-ngl ${e.engine.gpuLayers ?? 0}`,
    `-fa ${l.flashAttn ?? 'auto'}`,
  ];
  if (l.cacheTypeK && l.cacheTypeK !== 'f16') args.push(`-ctk ${l.cacheTypeK}`);
  if (l.cacheTypeV && l.cacheTypeV !== 'f16') args.push(`-ctv ${l.cacheTypeV}`);
  if (l.batchSize) args.push(`-b ${l.batchSize}`);
  if (l.ubatchSize) args.push(`-ub ${l.ubatchSize}`);
  if (l.tensorSplit) args.push(`--tensor-split ${l.tensorSplit.join(',')}`);
  if (l.kvUnified) args.push('--kv-unified');
  const d = e.speculative;
  if (d && o.speculative) {
    const s = o.speculative;
    const draft = draftModel ?? draftName(s);
    if (draft) {
      const ds = ggufSource(draft, s.draftFormat);
      args.push(ds.file ? `-md ${shellWord(ds.ref)}` : `-hfd ${shellWord(ds.ref)}`);
    }
    if (d.gpuLayers !== undefined) args.push(`-ngld ${d.gpuLayers}`);
    if (s.cacheTypeK && s.cacheTypeK !== 'f16') args.push(`-ctkd ${s.cacheTypeK}`);
    if (s.cacheTypeV && s.cacheTypeV !== 'f16') args.push(`-ctvd ${s.cacheTypeV}`);
    args.push(`--spec-draft-n-max ${d.draftTokens}`);
    if (d.drafting.minTokens > 0) args.push(`--spec-draft-n-min ${d.drafting.minTokens}`);
    if (d.drafting.pMin > 0) args.push(`--spec-draft-p-min ${d.drafting.pMin}`);
  }
  return `${args.join(' ')}\n`;
}

/**
 * An Ollama Modelfile: `FROM hf.co/<repo>:<type>` (Ollama pulls GGUF repositories by file type), `num_ctx`
 * per request, `num_gpu` offloaded layers; parallelism, flash attention and the KV cache type are server
 * environment variables, and Ollama has one cache type for K and V, so a split one is stated, not dropped.
 * Ollama has no draft model: a speculative estimate says so.
 */
export function ollamaModelfile({ options: o, estimate: e, model }: LaunchInput): string {
  const l = o.llamaCpp ?? {};
  const src = ggufSource(model, o.format);
  const parallel = l.parallel ?? e.batch;
  const ctk = l.cacheTypeK ?? 'f16';
  const ctv = l.cacheTypeV ?? 'f16';
  const env = [`OLLAMA_NUM_PARALLEL=${parallel}`];
  if (l.flashAttn !== 'off') env.push('OLLAMA_FLASH_ATTENTION=1');
  if (ctk !== 'f16' || ctv !== 'f16') env.push(`OLLAMA_KV_CACHE_TYPE=${ctk}`);
  const lines = [
    `FROM ${src.file ? src.ref : `hf.co/${src.ref}`}`,
    `PARAMETER num_ctx ${e.context}`,
    `PARAMETER num_gpu ${e.engine.gpuLayers ?? 0}`,
    ...(l.batchSize ? [`PARAMETER num_batch ${l.batchSize}`] : []),
    `# server environment: ${env.join(' ')}`,
    ...(ctk !== ctv
      ? [
          `# the estimate used K ${ctk} and V ${ctv}; OLLAMA_KV_CACHE_TYPE sets both, so V becomes ${ctk} (llama-server keeps -ctv ${ctv})`,
        ]
      : []),
    ...(e.speculative ? ['# Ollama runs no draft model: the estimate counts one; llama-server -md runs it'] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** vLLM's `--quantization` method for a weight format (vllm/model_executor/layers/quantization/__init__.py names). */
const VLLM_QUANTIZATION: readonly (readonly [RegExp, string])[] = [
  [/^fp8/, 'fp8'],
  [/^awq/, 'awq'],
  [/^gptq/, 'gptq'],
  [/^bnb/, 'bitsandbytes'],
  [/^compressed-tensors/, 'compressed-tensors'],
];

/** The GPU every vLLM rank is sized for: the smallest given. */
function smallestGpu(gpus: readonly GpuSpec[]): GpuSpec | undefined {
  return gpus.reduce<GpuSpec | undefined>(
    (a, g) => (!a || gpuCapacityBytes(g) < gpuCapacityBytes(a) ? g : a),
    undefined,
  );
}

/**
 * `vllm serve` (vllm/engine/arg_utils.py flag names) with the estimate's settings: `--max-model-len`,
 * `--gpu-memory-utilization`, `--max-num-seqs` and `--max-num-batched-tokens` as the estimate resolved them
 * (the version's defaults for the GPU class when not given), parallel sizes, the KV dtype, block size,
 * eager mode, the hybrid KV manager, `--quantization` (vLLM reads most methods from the checkpoint's
 * quantization_config; naming it makes the line run as estimated) and `--speculative-config`.
 */
export function vllmServeLine({ options: o, estimate: e, model, draftModel }: LaunchInput): string {
  const v = o.vllm ?? {};
  const maxLen = v.maxModelLen ?? e.context;
  const gpu = smallestGpu(o.gpus);
  const defaults = gpu ? vllmDefaults(gpu, maxLen, v.version, v.enableChunkedPrefill) : undefined;
  const args = [
    `vllm serve ${shellWord(model)}`,
    `--max-model-len ${maxLen}`,
    `--gpu-memory-utilization ${v.gpuMemoryUtilization ?? 0.9}`,
  ];
  const seqs = v.maxNumSeqs ?? defaults?.maxNumSeqs;
  if (seqs !== undefined) args.push(`--max-num-seqs ${seqs}`);
  const batched = v.maxNumBatchedTokens ?? defaults?.maxNumBatchedTokens;
  if (batched !== undefined) args.push(`--max-num-batched-tokens ${batched}`);
  if ((v.tensorParallelSize ?? 1) > 1) args.push(`--tensor-parallel-size ${v.tensorParallelSize}`);
  if ((v.pipelineParallelSize ?? 1) > 1) args.push(`--pipeline-parallel-size ${v.pipelineParallelSize}`);
  if (v.kvCacheDtype && v.kvCacheDtype !== 'auto') args.push(`--kv-cache-dtype ${v.kvCacheDtype}`);
  if (v.blockSize && v.blockSize !== 16) args.push(`--block-size ${v.blockSize}`);
  if (v.enforceEager) args.push('--enforce-eager');
  if (v.disableHybridKvCacheManager) args.push('--disable-hybrid-kv-cache-manager');
  if (v.enableChunkedPrefill !== undefined)
    args.push(v.enableChunkedPrefill ? '--enable-chunked-prefill' : '--no-enable-chunked-prefill');
  const fmt = o.format?.id;
  const method = fmt ? VLLM_QUANTIZATION.find(([re]) => re.test(fmt))?.[1] : undefined;
  if (method) args.push(`--quantization ${method}`);
  const d = e.speculative;
  if (d && o.speculative) {
    const draft = draftModel ?? draftName(o.speculative);
    const config: Record<string, string | number> = { method: d.method === 'draft' ? 'draft_model' : d.method };
    if (draft && d.method !== 'mtp') config.model = draft;
    config.num_speculative_tokens = d.draftTokens;
    args.push(`--speculative-config ${shellWord(JSON.stringify(config))}`);
  }
  return `${args.join(' \\\n  ')}\n`;
}

/** transformers' loading arguments for a weight format (integrations: bitsandbytes, ggml; GPTQ/AWQ from the checkpoint's config). */
function transformersLoad(format: WeightFormat | undefined, model: string): { imports: string[]; args: string[] } {
  const id = format?.id ?? 'bf16';
  if (/^bnb-(nf4|fp4)$/.test(id))
    return {
      imports: ['BitsAndBytesConfig'],
      args: [
        `quantization_config=BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="${id.slice(4)}", bnb_4bit_compute_dtype=torch.bfloat16)`,
      ],
    };
  if (id === 'bnb-int8' || id === 'int8')
    return { imports: ['BitsAndBytesConfig'], args: ['quantization_config=BitsAndBytesConfig(load_in_8bit=True)'] };
  if (isFile(model)) return { imports: [], args: ['dtype=torch.bfloat16'] };
  return { imports: [], args: [`dtype=torch.${id === 'f16' || id === 'fp16' ? 'float16' : 'bfloat16'}`] };
}

/**
 * A transformers script that loads the model as estimated (dtype or bitsandbytes config, a GGUF file
 * dequantized, `device_map="auto"` over the GPUs, the attention implementation) and calls `generate()`
 * with the estimate's batch and context.
 */
export function transformersScript({ options: o, estimate: e, model }: LaunchInput): string {
  const t = o.transformers ?? {};
  const load = transformersLoad(o.format, model);
  const file = isFile(model);
  const source = file ? `"${model.replace(/^.*[\\/]/, '')}"` : JSON.stringify(model);
  const fromArgs = [
    ...(file ? [`${JSON.stringify(model.replace(/[\\/][^\\/]*$/, '') || '.')}, gguf_file=${source}`] : [source]),
    ...load.args,
    'device_map="auto"',
    `attn_implementation="${t.attention === 'naive' ? 'eager' : 'sdpa'}"`,
  ];
  const lines = [
    'import torch',
    `from transformers import AutoModelForCausalLM${load.imports.map((i) => `, ${i}`).join('')}`,
    `model = AutoModelForCausalLM.from_pretrained(${fromArgs.join(', ')})`,
    `# the estimate: batch ${e.batch} × ${e.context} tokens (prompt + new tokens) per sequence`,
    `input_ids = torch.zeros((${e.batch}, 1), dtype=torch.long, device=model.device)  # your prompts here`,
    `out = model.generate(input_ids, max_length=${e.context})`,
  ];
  return `${lines.join('\n')}\n`;
}
