import { GIB, lookupGpu, MIB, plainFormats, vllmMemory } from '@vramkit/core';
import {
  llama2_7b,
  llama2_70b,
  llama32Vision11bText,
  opt125m,
} from '../../../core/src/serving/__fixtures__/architectures.js';
import { runtimeLogs } from '../../../core/src/serving/__fixtures__/runtime-logs.js';
import type { AccuracyCase, AccuracyCategory } from '../report.js';

/**
 * vLLM's logged memory budget, KV cache and block counts (PR threads in runtime_logs.json), from
 * vramkit's vLLM profile with the settings each log states. PR #2031's "after fix" counts are left
 * out: reproducing them needs its non-torch memory, which only the count itself reveals.
 */
export function vllmBudgets(): AccuracyCategory {
  const [vision, l7, l70, opt] = runtimeLogs.vllm;
  const cases: AccuracyCase[] = [];
  const add = (c: AccuracyCase) => cases.push(c);

  // Llama-3.2-11B-Vision on an H100, with its logged weights, activation peak and non-torch memory.
  const v = vllmMemory({
    model: llama32Vision11bText,
    gpu: lookupGpu('h100-80gb'),
    maxModelLen: vision.settings.max_model_len,
    maxNumSeqs: vision.settings.max_num_seqs,
    enforceEager: true,
    // vLLM's default swap_space of 4 GiB, which the log's CPU blocks fill.
    swapSpaceBytes: 4 * GIB,
    weightBytesPerGpu: vision.figures.model_weights_GiB * GIB,
    activationPeakBytes: vision.figures.activation_peak_GiB * GIB,
    nonTorchBytes: vision.figures.non_torch_memory_GiB * GIB,
  });
  const vs = vision.source;
  add({
    id: 'Llama-3.2-11B-Vision H100 usable budget',
    expected: vision.figures.usable_GiB,
    actual: v.budgetBytes / GIB,
    unit: 'GiB',
    resolution: 0.005,
    source: vs,
  });
  add({
    id: 'Llama-3.2-11B-Vision H100 KV cache',
    expected: vision.figures.kv_cache_GiB,
    actual: v.kvBudgetBytes / GIB,
    unit: 'GiB',
    resolution: 0.005,
    source: vs,
  });
  add({
    id: 'Llama-3.2-11B-Vision H100 GPU blocks',
    expected: vision.figures.cuda_blocks,
    actual: v.numGpuBlocks,
    unit: 'blocks',
    source: vs,
  });
  add({
    id: 'Llama-3.2-11B-Vision H100 CPU blocks (4 GiB swap)',
    expected: vision.figures.cpu_blocks,
    actual: v.numCpuBlocks ?? Number.NaN,
    unit: 'blocks',
    source: vs,
  });

  // PR #2031 "before fix": the torch-only profile (no non-torch memory) of Llama-2-7B and 70B at TP 4.
  const torchOnly = {
    format: plainFormats.f16,
    gpu: lookupGpu('a100-80gb'),
    maxModelLen: 4096,
    maxNumBatchedTokens: 4096,
    maxNumSeqs: 256,
    nonTorchBytes: 0,
  };
  add({
    id: 'Llama-2-7B A100-80GB GPU blocks (torch-only profile)',
    expected: l7.figures.gpu_blocks_before_fix,
    actual: vllmMemory({ model: llama2_7b, ...torchOnly }).numGpuBlocks,
    unit: 'blocks',
    source: l7.source,
  });
  add({
    id: 'Llama-2-70B TP 4 A100-80GB GPU blocks per rank (torch-only profile)',
    expected: l70.figures.gpu_blocks_before_fix,
    actual: vllmMemory({ model: llama2_70b, ...torchOnly, tensorParallelSize: 4 }).numGpuBlocks,
    unit: 'blocks',
    source: l70.source,
  });

  // opt-125m: fp16 weights as the caching allocator holds them (vocabulary padded to 64 rows, unsplit
  // block remainders) and the CPU blocks of the default 4 GiB swap space.
  const o = vllmMemory({
    model: opt125m,
    format: plainFormats.f16,
    gpu: lookupGpu('a100-80gb'),
    maxModelLen: opt.settings.max_seq_len,
    swapSpaceBytes: 4 * GIB,
  });
  const optWeights = o.parts.weights!.bytes;
  add({
    id: 'opt-125m weights (logged "MB", MiB as vLLM divides by 2^20)',
    expected: opt.figures.model_weights_MB,
    actual: optWeights / MIB,
    unit: 'MiB',
    resolution: 0.005,
    source: opt.source,
  });
  add({
    id: 'opt-125m CPU blocks (4 GiB swap)',
    expected: opt.figures.cpu_blocks,
    actual: o.numCpuBlocks ?? Number.NaN,
    unit: 'blocks',
    source: opt.source,
  });

  return {
    key: 'vllm',
    name: 'vLLM budgets',
    target: 0.01,
    source: 'vLLM PR threads #12126, #2031, #3120 (shared runtime_logs.json)',
    cases,
  };
}
