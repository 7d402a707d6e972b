import { describe, expect, it } from 'vitest';
import { GIB } from '../memory/units.js';
import { llama2_7b } from './__fixtures__/architectures.js';
import { lookupGpu } from './gpus.js';
import { vllmDefaults, vllmMemory } from './vllm.js';

const rtx3090 = lookupGpu('rtx-3090');
const h100 = lookupGpu('h100-80gb');
const a100 = lookupGpu('a100-80gb');

describe('vLLM as shipped (vllm/engine/arg_utils.py, v1/worker/gpu_worker.py, v1/core/kv_cache_utils.py)', () => {
  it('picks its defaults by GPU class: 2048 tokens / 256 seqs under 70 GiB and on A100, 8192 / 1024 on H100-class', () => {
    expect(vllmDefaults(rtx3090, 4096)).toMatchObject({ engine: 'V1', maxNumBatchedTokens: 2048, maxNumSeqs: 256 });
    expect(vllmDefaults(a100, 4096)).toMatchObject({ maxNumBatchedTokens: 2048, maxNumSeqs: 256 });
    expect(vllmDefaults(h100, 4096)).toMatchObject({ maxNumBatchedTokens: 8192, maxNumSeqs: 1024 });
  });

  it('V0 without chunked prefill profiles max_model_len tokens: the KV budget shrinks as the length grows (V1 does not)', () => {
    const at = (len: number, version?: string) =>
      vllmMemory({ model: llama2_7b, gpu: rtx3090, maxModelLen: len, ...(version ? { version } : {}) }).kvBudgetBytes;
    expect(at(2048, '0.6.3') - at(4096, '0.6.3')).toBeGreaterThan(0.1 * GIB);
    expect(at(2048)).toBe(at(4096));
    expect(vllmDefaults(rtx3090, 4096, '0.6.3')).toMatchObject({
      engine: 'V0',
      chunkedPrefill: false,
      profileTokens: 4096,
    });
    expect(vllmDefaults(rtx3090, 65536, '0.6.3')).toMatchObject({ chunkedPrefill: true, maxNumBatchedTokens: 512 });
  });

  it('refuses --max-model-len beyond the model, a block size it does not take, and a KV cache smaller than one sequence (naming the largest length that fits)', () => {
    expect(() => vllmMemory({ model: llama2_7b, gpu: h100, maxModelLen: 8192 })).toThrow(
      /greater than the model's max_position_embeddings 4096/,
    );
    expect(() => vllmMemory({ model: llama2_7b, gpu: h100, blockSize: 7 })).toThrow(/takes 1, 8, 16, 32, 64, 128/);
    const tight = vllmMemory({
      model: llama2_7b,
      gpu: lookupGpu('rtx-4090'),
      maxModelLen: 4096,
      gpuMemoryUtilization: 0.62,
    });
    expect(tight.fits).toBe(false);
    expect(tight.refusal).toMatch(new RegExp(`use --max-model-len ${tight.maxContext} `));
    expect(tight.maxContext).toBeLessThan(4096);
  });

  it('prints concurrency as vLLM does: KV tokens / max_model_len, two decimals', () => {
    const r = vllmMemory({ model: llama2_7b, gpu: h100, maxModelLen: 4096 });
    expect(r.concurrencyFactor).toBe(Math.floor((r.kvTokens / 4096) * 100) / 100);
    expect(r.concurrencyFactor).toBeGreaterThan(10);
  });
});
