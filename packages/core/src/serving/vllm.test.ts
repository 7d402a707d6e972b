import { describe, expect, it } from 'vitest';
import { GIB, MIB } from '../memory/units.js';
import { plainFormats } from '../formats/weight-format.js';
import { alternatingSwa, llama2_70b, llama2_7b, llama32Vision11bText, opt125m } from './__fixtures__/architectures.js';
import { runtimeLogs } from './__fixtures__/runtime-logs.js';
import { customGpu, lookupGpu } from './gpus.js';
import { vllmMemory } from './vllm.js';

const logs = runtimeLogs.vllm;
const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe('vllmMemory', () => {
  it('reproduces Llama-3.2-11B-Vision on H100 from its logged parts: budget 71.29 GiB, KV 14.65 GiB, 6,001 blocks of 2.5 MiB', () => {
    const log = logs[0]!;
    const f = log.figures;
    const r = vllmMemory({
      model: llama32Vision11bText,
      gpu: lookupGpu('h100-80gb'),
      maxModelLen: 65536,
      maxNumSeqs: 128,
      enforceEager: true,
      weightBytesPerGpu: f.model_weights_GiB * GIB,
      activationPeakBytes: f.activation_peak_GiB * GIB,
      nonTorchBytes: f.non_torch_memory_GiB * GIB,
    });
    expect(r.blockBytes).toBe(2.5 * MIB);
    expect(Math.abs(r.budgetBytes / GIB - f.usable_GiB)).toBeLessThan(0.01);
    expect(Math.abs(r.kvBudgetBytes / GIB - f.kv_cache_GiB)).toBeLessThan(0.01);
    expect(rel(r.numGpuBlocks, f.cuda_blocks)).toBeLessThan(0.001);
  });

  it('reproduces Llama-2-7B on A100-80GB: 8 MiB blocks, 7,449 GPU blocks (torch-only profile of PR #2031) within 1%', () => {
    const r = vllmMemory({
      model: llama2_7b,
      format: plainFormats.f16,
      gpu: lookupGpu('a100-80gb'),
      maxModelLen: 4096,
      maxNumBatchedTokens: 4096,
      maxNumSeqs: 256,
      nonTorchBytes: 0,
    });
    expect(r.blockBytes).toBe(8 * MIB);
    expect(rel(r.numGpuBlocks, logs[1]!.figures.gpu_blocks_before_fix)).toBeLessThan(0.01);
    // After the fix the profile also counts ~0.77 GiB of non-torch memory: 98 blocks × 8 MiB.
    const after = vllmMemory({
      model: llama2_7b,
      format: plainFormats.f16,
      gpu: lookupGpu('a100-80gb'),
      maxModelLen: 4096,
      maxNumBatchedTokens: 4096,
      maxNumSeqs: 256,
      nonTorchBytes: 98 * 8 * MIB,
    });
    expect(rel(after.numGpuBlocks, logs[1]!.figures.gpu_blocks_after_fix)).toBeLessThan(0.01);
  });

  it('reproduces Llama-2-70B at TP 4 on A100-80GB: 1.25 MiB blocks per rank, 31,615 GPU blocks (torch-only profile) within 1%', () => {
    const r = vllmMemory({
      model: llama2_70b,
      format: plainFormats.f16,
      gpu: lookupGpu('a100-80gb'),
      tensorParallelSize: 4,
      maxModelLen: 4096,
      maxNumBatchedTokens: 4096,
      maxNumSeqs: 256,
      nonTorchBytes: 0,
    });
    expect(r.blockBytes).toBe(1.25 * MIB);
    expect(rel(r.numGpuBlocks, logs[2]!.figures.gpu_blocks_before_fix)).toBeLessThan(0.01);
    expect(r.parts.weights!.bytes / GIB).toBeCloseTo(32.12, 1);
  });

  it('reproduces opt-125m: 7,281 CPU blocks of 0.5625 MiB in the 4 GiB swap space, "Model weights took 244.61 MB" to the logged digit', () => {
    const log = logs[3]!;
    const r = vllmMemory({
      model: opt125m,
      format: plainFormats.f16,
      gpu: lookupGpu('a100-80gb'),
      maxModelLen: 2048,
      swapSpaceBytes: 4 * GIB,
    });
    expect(r.blockBytes).toBe(0.5625 * MIB);
    expect(r.numCpuBlocks).toBe(log.figures.cpu_blocks);
    // 125,239,296 fp16 weights are 238.88 MiB; the vocabulary padded to 50,304 rows adds 0.05 MiB and the
    // caching allocator's unsplit block remainders 5.69 MiB (vLLM divides by 2^20 and prints two decimals).
    expect(Math.abs(r.parts.weights!.bytes / MIB - log.figures.model_weights_MB)).toBeLessThanOrEqual(0.005);
    expect(r.parts.weights!.parts!.tensors!.bytes).toBe(125_239_296 * 2);
    expect(r.parts.weights!.parts!.padding!.bytes).toBe((50_304 - 50_272) * 768 * 2);
  });

  it('treats gpu_memory_utilization as a budget: 0.5 of 79.15 GiB leaves fewer blocks than 0.9, the need is unchanged', () => {
    const base = { model: llama2_7b, gpu: lookupGpu('a100-80gb'), maxModelLen: 4096 };
    const lo = vllmMemory({ ...base, gpuMemoryUtilization: 0.5 });
    const hi = vllmMemory({ ...base, gpuMemoryUtilization: 0.9 });
    expect(lo.numGpuBlocks).toBeLessThan(hi.numGpuBlocks);
    expect(lo.parts.weights!.bytes).toBe(hi.parts.weights!.bytes);
  });

  it('reports max concurrency at 8k = floor(blocks / 512) and flags a max_model_len the pool cannot hold', () => {
    const r = vllmMemory({ model: llama2_7b, gpu: lookupGpu('rtx-4090'), maxModelLen: 4096, concurrencyTokens: 8192 });
    expect(r.maxConcurrency).toBe(Math.min(256, Math.floor(r.numGpuBlocks / 512)));
    const tight = vllmMemory({
      model: llama2_7b,
      gpu: customGpu(14.5 * GIB),
      maxModelLen: 4096,
      gpuMemoryUtilization: 0.95,
    });
    expect(tight.binding).not.toBe('none');
    expect(tight.fits).toBe(false);
  });

  it('halves KV bytes per block with --kv-cache-dtype fp8 (8 MiB → 4 MiB)', () => {
    const r = vllmMemory({ model: llama2_7b, gpu: lookupGpu('a100-80gb'), maxModelLen: 4096, kvCacheDtype: 'fp8' });
    expect(r.blockBytes).toBe(4 * MIB);
  });

  it('groups 13 sliding + 13 full layers into 2 block tables of 13 layers: 851,968 B blocks, 1,025 blocks per 8k request', () => {
    const arch = alternatingSwa();
    const r = vllmMemory({ model: arch, gpu: lookupGpu('h100-80gb'), maxModelLen: 8192, maxNumBatchedTokens: 8192 });
    const page = 16 * 2 * 4 * 256 * 2; // block_size × (K, V) × 4 KV heads × 256 dims × bf16
    expect(r.blockBytes).toBe(13 * page);
    // full group: 8192 / 16 = 512 blocks; sliding group: cdiv(min(4095 + 8192, 8192), 16) + 1 = 513.
    expect(r.maxConcurrency).toBe(Math.min(256, Math.floor(r.numGpuBlocks / 1025)));
    expect(r.kvTokens).toBe(Math.floor(r.numGpuBlocks / 2) * 16);
    const flat = vllmMemory({
      model: arch,
      gpu: lookupGpu('h100-80gb'),
      maxModelLen: 8192,
      maxNumBatchedTokens: 8192,
      disableHybridKvCacheManager: true,
    });
    expect(flat.blockBytes).toBe(26 * page);
  });

  it('rejects a TP size that does not divide 32 heads', () => {
    expect(() =>
      vllmMemory({ model: llama2_7b, gpu: lookupGpu('a100-80gb'), maxModelLen: 4096, tensorParallelSize: 3 }),
    ).toThrow(/divisible/);
  });
});
