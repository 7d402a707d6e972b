import type { ServingEstimate, ServingOptions } from '@vramkit/core';
import { UsageError } from '../errors.js';

/** Launch targets `--emit` knows. */
export const EMIT_TARGETS = ['llama-server', 'vllm', 'ollama'] as const;
export type EmitTarget = (typeof EMIT_TARGETS)[number];

/**
 * The launch command (or Modelfile) whose settings are the ones the estimate says fit: the context,
 * the sequences, the offloaded layers and cache types for llama.cpp; max-model-len, utilization and
 * max-num-seqs for vLLM; num_ctx and num_gpu for Ollama.
 * @param target llama-server | vllm | ollama
 * @param o the serving question that was estimated
 * @param e its estimate (for llama.cpp, run with the -ngl that fits)
 * @param model the model argument as the user gave it (a Hub id or a .gguf path)
 * @throws UsageError when the target and the engine do not match
 */
export function emitLaunch(target: EmitTarget, o: ServingOptions, e: ServingEstimate, model: string): string {
  const fmt = o.format?.id;
  const isFile = /\.gguf$/i.test(model);
  // A Hub repository is fetched by llama.cpp and ollama with its file type as the tag (repo:Q4_K_M).
  const tag = fmt && /^(Q|IQ|TQ|F16|BF16|F32|MXFP4)/.test(fmt) ? `:${fmt}` : '';
  if (target === 'vllm') {
    if (o.engine !== 'vllm') throw new UsageError('--emit vllm needs --engine vllm', 'emit');
    const v = (o.vllm ?? {}) as NonNullable<ServingOptions['vllm']>;
    const maxLen = Math.min(e.context, e.engine.maxContext);
    const args = [
      `vllm serve ${model}`,
      `--max-model-len ${maxLen}`,
      `--gpu-memory-utilization ${v.gpuMemoryUtilization ?? 0.9}`,
      `--max-num-seqs ${Math.max(1, Math.min(v.maxNumSeqs ?? 256, e.engine.maxConcurrency || 1))}`,
    ];
    if ((v.tensorParallelSize ?? 1) > 1) args.push(`--tensor-parallel-size ${v.tensorParallelSize}`);
    if ((v.pipelineParallelSize ?? 1) > 1) args.push(`--pipeline-parallel-size ${v.pipelineParallelSize}`);
    if (v.kvCacheDtype && v.kvCacheDtype !== 'auto') args.push(`--kv-cache-dtype ${v.kvCacheDtype}`);
    if (v.maxNumBatchedTokens) args.push(`--max-num-batched-tokens ${v.maxNumBatchedTokens}`);
    if (v.blockSize && v.blockSize !== 16) args.push(`--block-size ${v.blockSize}`);
    if (v.enforceEager) args.push('--enforce-eager');
    // vLLM reads most methods from the checkpoint's quantization_config; name them so the line runs as estimated.
    const method =
      fmt === 'fp8'
        ? 'fp8'
        : fmt?.startsWith('awq')
          ? 'awq'
          : fmt?.startsWith('gptq')
            ? 'gptq'
            : fmt?.startsWith('bnb')
              ? 'bitsandbytes'
              : undefined;
    if (method) args.push(`--quantization ${method}`);
    return `${args.join(' \\\n  ')}\n`;
  }
  if (o.engine !== 'llama.cpp') throw new UsageError(`--emit ${target} needs --engine llama.cpp`, 'emit');
  const l = (o.llamaCpp ?? {}) as NonNullable<ServingOptions['llamaCpp']>;
  const parallel = l.parallel ?? e.batch;
  // -c is llama.cpp's total: the cells of all -np sequences (e.context is per sequence).
  const ctx = l.ctxSize ?? e.context * parallel;
  const ngl = e.engine.gpuLayers ?? 0;
  if (target === 'ollama') {
    // Ollama: num_ctx is per request; num_gpu is the offloaded layer count; parallelism and cache type are server env vars.
    const ctk = l.cacheTypeK ?? 'f16';
    const ctv = l.cacheTypeV ?? 'f16';
    const lines = [
      `FROM ${isFile ? model : `hf.co/${model}${tag}`}`,
      `PARAMETER num_ctx ${e.context}`,
      `PARAMETER num_gpu ${ngl}`,
      ...(l.batchSize ? [`PARAMETER num_batch ${l.batchSize}`] : []),
      `# server environment: OLLAMA_NUM_PARALLEL=${parallel}${l.flashAttn !== 'off' ? ' OLLAMA_FLASH_ATTENTION=1' : ''}${ctk !== 'f16' || ctv !== 'f16' ? ` OLLAMA_KV_CACHE_TYPE=${ctk === ctv ? ctk : ctk}` : ''}`,
      // Ollama has one cache type for K and V: say what the estimate assumed instead of dropping it.
      ...(ctk !== ctv
        ? [
            `# the estimate used K ${ctk} and V ${ctv}; OLLAMA_KV_CACHE_TYPE sets both, so V becomes ${ctk} (llama-server keeps -ctv ${ctv})`,
          ]
        : []),
    ];
    return `${lines.join('\n')}\n`;
  }
  const args = [
    'llama-server',
    isFile ? `-m ${model}` : `-hf ${model}${tag}`,
    `-c ${ctx}`,
    `-np ${parallel}`,
    `-ngl ${ngl}`,
    `-fa ${l.flashAttn ?? 'auto'}`,
  ];
  if (l.cacheTypeK && l.cacheTypeK !== 'f16') args.push(`-ctk ${l.cacheTypeK}`);
  if (l.cacheTypeV && l.cacheTypeV !== 'f16') args.push(`-ctv ${l.cacheTypeV}`);
  if (l.batchSize) args.push(`-b ${l.batchSize}`);
  if (l.ubatchSize) args.push(`-ub ${l.ubatchSize}`);
  if (l.tensorSplit) args.push(`--tensor-split ${l.tensorSplit.join(',')}`);
  if (l.kvUnified) args.push('--kv-unified');
  return `${args.join(' ')}\n`;
}
