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
import { bindBuffers, compileKernel, dispatch2d, preamble, runPasses } from '../gpu/compile.js';
import code from './naive-attention.wgsl';

/** WGSL source of naive attention (before the runner's preamble). */
export const naiveAttentionWgsl: string = code;
/** Invocations per workgroup of every naive-attention entry point. */
export const NAIVE_ATTENTION_WORKGROUP_SIZE = 64;
const WG = NAIVE_ATTENTION_WORKGROUP_SIZE;
const ENTRY_POINTS = ['scores', 'softmax', 'pv', 'grad_v', 'grad_p', 'grad_s', 'grad_q', 'grad_k'] as const;

/**
 * Naive attention: materializes `S = QKᵀ/√d` (storage dtype) and `P = softmax(S)` (f32) as
 * `batch × heads × seqLen²` buffers, then `O = PV`; backward materializes `dS` (f32). The buffers
 * are exactly core's `attentionForwardBytes({ kind: 'naive' })`.
 * @param device a device the caller created (request `maxBufferSize`/`maxStorageBufferBindingSize` from the adapter for long sequences)
 * @throws InvalidInputError for a bad shape or f16 without `shader-f16`
 * @throws GpuAllocationError when S or P exceeds the device's limits (the seed-002 OOM)
 */
export async function createNaiveAttention(device: GPUDevice, options: AttentionOptions): Promise<AttentionRunner> {
  const o = resolveAttentionOptions(device, options);
  const bh = o.batch * o.heads;
  const kernel = await compileKernel(
    device,
    'naive-attention',
    preamble(o.dtype, {
      BH: bh,
      SEQ: o.seqLen,
      HEAD_DIM: o.headDim,
      SCALE: 1 / Math.sqrt(o.headDim),
      CAUSAL: o.causal,
    }) + code,
    ENTRY_POINTS,
  );
  const ledger = new BufferLedger(device, 'naive-attention');
  const el = dtypeBytes(o.dtype);
  const tensorBytes = tensorElements(o) * el;
  const scoreElements = bh * o.seqLen * o.seqLen;
  try {
    const q = await ledger.storage('q', tensorBytes);
    const k = await ledger.storage('k', tensorBytes);
    const v = await ledger.storage('v', tensorBytes);
    const s = await ledger.storage('scores', scoreElements * el);
    const p = await ledger.storage('probabilities', scoreElements * 4);
    const out = await ledger.storage('output', tensorBytes);
    let grads: { dout: GPUBuffer; ds: GPUBuffer; dq: GPUBuffer; dk: GPUBuffer; dv: GPUBuffer } | undefined;
    const pl = kernel.pipelines;
    const step =
      (name: (typeof ENTRY_POINTS)[number], buffers: Record<number, GPUBuffer>, workgroups: number) =>
      (pass: GPUComputePassEncoder) => {
        pass.setPipeline(pl[name]);
        pass.setBindGroup(0, bindBuffers(device, pl[name], buffers));
        dispatch2d(pass, workgroups);
      };
    const rows = bh * o.seqLen;
    const perScore = Math.ceil(scoreElements / WG);
    const perElement = Math.ceil(tensorElements(o) / WG);
    return {
      kind: 'naive',
      options: o,
      messages: kernel.messages,
      write(inputs) {
        writeTensor(device, q, inputs.q, o, 'q');
        writeTensor(device, k, inputs.k, o, 'k');
        writeTensor(device, v, inputs.v, o, 'v');
      },
      forward: () =>
        runPasses(device, 'naive-attention.forward', [
          step('scores', { 0: q, 1: k, 3: s }, perScore),
          step('softmax', { 3: s, 4: p }, rows),
          step('pv', { 2: v, 4: p, 5: out }, perElement),
        ]),
      async backward(gradOutput) {
        grads ??= {
          dout: await ledger.storage('grad_output', tensorBytes, 'backward'),
          ds: await ledger.storage('grad_scores', scoreElements * 4, 'backward'),
          dq: await ledger.storage('grad_q', tensorBytes, 'backward'),
          dk: await ledger.storage('grad_k', tensorBytes, 'backward'),
          dv: await ledger.storage('grad_v', tensorBytes, 'backward'),
        };
        const g = grads;
        writeTensor(device, g.dout, gradOutput, o, 'gradOutput');
        await runPasses(device, 'naive-attention.backward', [
          step('grad_v', { 4: p, 6: g.dout, 10: g.dv }, perElement),
          step('grad_p', { 2: v, 6: g.dout, 7: g.ds }, perScore),
          step('grad_s', { 4: p, 7: g.ds }, rows),
          step('grad_q', { 1: k, 7: g.ds, 8: g.dq }, perElement),
          step('grad_k', { 0: q, 7: g.ds, 9: g.dk }, perElement),
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
