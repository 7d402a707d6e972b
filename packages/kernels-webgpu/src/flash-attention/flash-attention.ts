import {
  type AttentionOptions,
  type AttentionRunner,
  dtypeBytes,
  readTensor,
  resolveAttentionOptions,
  tensorElements,
  writeTensor,
} from '../attention-runner.js';
import { BufferLedger } from '../gpu/buffer-ledger.js';
import { bindBuffers, compileKernel, preamble, runPasses } from '../gpu/compile.js';
import code from './flash-attention.wgsl';

/** WGSL source of flash attention (before the runner's preamble). */
export const flashAttentionWgsl: string = code;
/** Query rows per workgroup (one invocation each). */
export const FLASH_ATTENTION_BLOCK_Q = 64;
const ENTRY_POINTS = ['forward', 'backward_rowdot', 'backward_dq', 'backward_dkv'] as const;

/**
 * Key rows per tile: the most that fit two f32 `BLOCK_K × headDim` tiles plus two `BLOCK_K` vectors
 * in the device's workgroup memory, at most 64.
 */
export function flashAttentionBlockK(headDim: number, workgroupStorageBytes: number): number {
  return Math.max(1, Math.min(64, Math.floor(workgroupStorageBytes / 4 / (2 * headDim + 2))));
}

/**
 * Flash attention (FlashAttention-2): tiled, online softmax in workgroup memory, never an
 * `L × L` buffer. Forward keeps Q, K, V, O and an f32 log-sum-exp per row — core's
 * `attentionForwardBytes({ kind: 'flash' })`, linear in L; backward adds dO, dQ, dK, dV and an f32
 * row dot `D = rowsum(dO ∘ O)`.
 * @param device a device the caller created
 * @throws InvalidInputError for a bad shape or f16 without `shader-f16`
 * @throws GpuAllocationError when a tensor exceeds the device's limits
 */
export async function createFlashAttention(device: GPUDevice, options: AttentionOptions): Promise<AttentionRunner> {
  const o = resolveAttentionOptions(device, options);
  const bh = o.batch * o.heads;
  const blockK = flashAttentionBlockK(o.headDim, device.limits.maxComputeWorkgroupStorageSize);
  const kernel = await compileKernel(
    device,
    'flash-attention',
    preamble(o.dtype, {
      BH: bh,
      SEQ: o.seqLen,
      HEAD_DIM: o.headDim,
      SCALE: 1 / Math.sqrt(o.headDim),
      CAUSAL: o.causal,
      BLOCK_Q: FLASH_ATTENTION_BLOCK_Q,
      BLOCK_K: blockK,
    }) + code,
    ENTRY_POINTS,
  );
  const ledger = new BufferLedger(device, 'flash-attention');
  const tensorBytes = tensorElements(o) * dtypeBytes(o.dtype);
  const rowBytes = bh * o.seqLen * 4;
  try {
    const q = await ledger.storage('q', tensorBytes);
    const k = await ledger.storage('k', tensorBytes);
    const v = await ledger.storage('v', tensorBytes);
    const out = await ledger.storage('output', tensorBytes);
    const lse = await ledger.storage('logsumexp', rowBytes);
    let grads: { dout: GPUBuffer; rowdot: GPUBuffer; dq: GPUBuffer; dk: GPUBuffer; dv: GPUBuffer } | undefined;
    const pl = kernel.pipelines;
    const blocks = Math.ceil(o.seqLen / FLASH_ATTENTION_BLOCK_Q);
    const step =
      (name: (typeof ENTRY_POINTS)[number], buffers: Record<number, GPUBuffer>) => (pass: GPUComputePassEncoder) => {
        pass.setPipeline(pl[name]);
        pass.setBindGroup(0, bindBuffers(device, pl[name], buffers));
        pass.dispatchWorkgroups(blocks, bh);
      };
    return {
      kind: 'flash',
      options: o,
      messages: kernel.messages,
      write(inputs) {
        writeTensor(device, q, inputs.q, o, 'q');
        writeTensor(device, k, inputs.k, o, 'k');
        writeTensor(device, v, inputs.v, o, 'v');
      },
      forward: () =>
        runPasses(device, 'flash-attention.forward', [step('forward', { 0: q, 1: k, 2: v, 3: out, 4: lse })]),
      async backward(gradOutput) {
        grads ??= {
          dout: await ledger.storage('grad_output', tensorBytes, 'backward'),
          rowdot: await ledger.storage('rowdot', rowBytes, 'backward'),
          dq: await ledger.storage('grad_q', tensorBytes, 'backward'),
          dk: await ledger.storage('grad_k', tensorBytes, 'backward'),
          dv: await ledger.storage('grad_v', tensorBytes, 'backward'),
        };
        const g = grads;
        writeTensor(device, g.dout, gradOutput, o, 'gradOutput');
        await runPasses(device, 'flash-attention.backward', [
          step('backward_rowdot', { 3: out, 5: g.dout, 6: g.rowdot }),
          step('backward_dq', { 0: q, 1: k, 2: v, 4: lse, 5: g.dout, 6: g.rowdot, 7: g.dq }),
          step('backward_dkv', { 0: q, 1: k, 2: v, 4: lse, 5: g.dout, 6: g.rowdot, 8: g.dk, 9: g.dv }),
        ]);
      },
      read(tensor) {
        if (tensor === 'output') return readTensor(device, out, o);
        if (!grads) throw new Error(`read("${tensor}") needs backward() first`);
        return readTensor(device, tensor === 'grad_q' ? grads.dq : tensor === 'grad_k' ? grads.dk : grads.dv, o);
      },
      memory: () => ledger.report(),
      destroy: () => ledger.destroy(),
    };
  } catch (e) {
    ledger.destroy();
    throw e;
  }
}
