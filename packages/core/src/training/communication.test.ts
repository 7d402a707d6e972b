import { describe, expect, it } from 'vitest';
import { communicationBuffers } from './communication.js';

const base = {
  peft: false,
  megatronCore: false,
  trainableParams: 7e9,
  rankParams: 7e9,
  largestLayerParams: 2e8,
  frozenBytesPerParam: 2,
  computeBytes: 2,
  gradBytes: 2,
  pipelineActivationBytes: 0,
};

describe('communicationBuffers', () => {
  it('DDP keeps a second copy of every gradient in its buckets', () => {
    expect(communicationBuffers({ ...base, scheme: 'DDP over 8', stage: 0, fsdp: 'none' }).ddpBuckets?.bytes).toBe(
      14e9,
    );
  });

  it('ZeRO-2: allgather and reduce buckets of 5e8 elements; ZeRO-3: live parameters instead of the allgather bucket', () => {
    const z2 = communicationBuffers({ ...base, scheme: 'ZeRO-2 over 8', stage: 2, fsdp: 'none' });
    expect([z2.allgatherBucket?.bytes, z2.reduceBucket?.bytes]).toEqual([1e9, 1e9]);
    const z3 = communicationBuffers({ ...base, scheme: 'ZeRO-3 over 8', stage: 3, fsdp: 'none' });
    expect(z3.allgatherBucket).toBeUndefined();
    expect(z3.liveParameters?.bytes).toBe(2e9);
  });

  it('FSDP gathers the current and the prefetched layer; a LoRA unit in the frozen storage, with no unsharded gradient', () => {
    const full = communicationBuffers({ ...base, scheme: 'FSDP FULL_SHARD over 8', stage: 3, fsdp: 'full' });
    expect(full.gatheredUnits?.bytes).toBe(2 * 2e8 * 2);
    const lora = communicationBuffers({
      ...base,
      peft: true,
      frozenBytesPerParam: 0.5,
      scheme: 'FSDP FULL_SHARD over 8',
      stage: 3,
      fsdp: 'full',
    });
    expect(lora.gatheredUnits?.bytes).toBe(2 * 2e8 * 0.5);
    expect(lora.unshardedGrad?.bytes).toBe(0);
  });

  it('Megatron-Core reduces and gathers inside its grad and param buffers: no bucket beside the states', () => {
    // DeepSpeed ZeRO-1 keeps its allgather bucket; Megatron's distributed optimizer (ZeRO-1) and DDP add nothing.
    const deepspeed = communicationBuffers({ ...base, scheme: 'ZeRO-1 over 8', stage: 1, fsdp: 'none' });
    expect(deepspeed.allgatherBucket?.bytes).toBe(1e9);
    for (const [scheme, stage] of [
      ['ZeRO-1 over 8', 1],
      ['DDP over 8', 0],
    ] as const) {
      const m = communicationBuffers({ ...base, megatronCore: true, scheme, stage, fsdp: 'none' });
      expect(Object.values(m).reduce((s, x) => s + x.bytes, 0)).toBe(0);
      expect(m.inBuffers?.source).toMatch(/param_and_grad_buffer\.py/);
    }
    // Pipeline P2P buffers are still real under Megatron.
    const pp = communicationBuffers({
      ...base,
      megatronCore: true,
      pipelineActivationBytes: 4096,
      scheme: 'ZeRO-1 over 4',
      stage: 1,
      fsdp: 'none',
    });
    expect(pp.pipelineP2P?.bytes).toBe(4096);
  });
});
