import { InvalidInputError } from '@vramkit/core';
import { BufferLedger, type MemoryReport } from '../gpu/buffer-ledger.js';
import { bindBuffers, compileKernel, preamble, runPasses } from '../gpu/compile.js';
import { readBuffer } from '../gpu/read-buffer.js';
import code from './bandwidth.wgsl';

/** WGSL source of the bandwidth probe (before the runner's preamble). */
export const bandwidthWgsl: string = code;
const WORKGROUP = 256;

/** Options of {@link measureBandwidth}. */
export interface BandwidthOptions {
  /** Bytes of the streamed buffer (a multiple of 16); capped by the device's buffer limits. Default 64 MiB. */
  bytes?: number;
  /** Passes timed after one warm-up pass (default 5). */
  repeats?: number;
  /** Workgroups of 256 invocations in the dispatch (default 1024). */
  workgroups?: number;
}

/** Measured streaming bandwidth in GB/s (10⁹ bytes per second). */
export interface BandwidthResult {
  /** Bytes read per second by the `read` kernel. */
  readGBps: number;
  /** Bytes moved per second by `copy`, counting its read and its write (STREAM convention). */
  copyGBps: number;
  /** Bytes of the streamed buffer. */
  bytes: number;
  /** The source, copy destination and partial-sum buffers. */
  memory: MemoryReport;
}

/** Largest buffer the device lets one binding hold, as a multiple of 16 bytes. */
export function maxStreamBytes(device: GPUDevice): number {
  return Math.floor(Math.min(device.limits.maxBufferSize, device.limits.maxStorageBufferBindingSize) / 16) * 16;
}

/**
 * Measures streaming read and copy bandwidth: one warm-up pass, then `repeats` passes in one
 * submission timed with `performance.now()` around `onSubmittedWorkDone()`. The figure includes
 * submission overhead, so use a buffer well beyond the GPU's caches (the default 64 MiB is).
 * @throws InvalidInputError for a size that is not a positive multiple of 16, or bad repeats
 */
export async function measureBandwidth(device: GPUDevice, options: BandwidthOptions = {}): Promise<BandwidthResult> {
  const bytes = Math.min(options.bytes ?? 64 * 1024 * 1024, maxStreamBytes(device));
  const repeats = options.repeats ?? 5;
  const workgroups = options.workgroups ?? 1024;
  const issues = [];
  if (!Number.isSafeInteger(bytes) || bytes < 16 || bytes % 16 !== 0)
    issues.push({
      path: 'bandwidth.bytes',
      message: 'bytes must be a positive multiple of 16',
      received: options.bytes,
    });
  if (!Number.isSafeInteger(repeats) || repeats < 1)
    issues.push({ path: 'bandwidth.repeats', message: 'repeats must be a positive integer', received: repeats });
  if (!Number.isSafeInteger(workgroups) || workgroups < 1 || workgroups > 65535)
    issues.push({
      path: 'bandwidth.workgroups',
      message: 'workgroups must be an integer in 1–65,535',
      received: workgroups,
    });
  if (issues.length > 0) throw new InvalidInputError(issues);
  const threads = workgroups * WORKGROUP;
  const kernel = await compileKernel(device, 'bandwidth', preamble('f32', { THREADS: threads }) + code, [
    'stream_read',
    'stream_copy',
  ] as const);
  const ledger = new BufferLedger(device, 'bandwidth');
  try {
    const src = await ledger.storage('source', bytes);
    const sink = await ledger.storage('partial_sums', threads * 4);
    const dst = await ledger.storage('destination', bytes);
    const readBind = bindBuffers(device, kernel.pipelines.stream_read, { 0: src, 1: sink });
    const copyBind = bindBuffers(device, kernel.pipelines.stream_copy, { 0: src, 2: dst });
    const time = async (pipeline: GPUComputePipeline, bind: GPUBindGroup, n: number) => {
      const start = performance.now();
      await runPasses(device, 'bandwidth', [
        (pass) => {
          pass.setPipeline(pipeline);
          pass.setBindGroup(0, bind);
          for (let r = 0; r < n; r++) pass.dispatchWorkgroups(workgroups);
        },
      ]);
      return (performance.now() - start) / 1000;
    };
    await time(kernel.pipelines.stream_read, readBind, 1);
    const readSeconds = await time(kernel.pipelines.stream_read, readBind, repeats);
    await time(kernel.pipelines.stream_copy, copyBind, 1);
    const copySeconds = await time(kernel.pipelines.stream_copy, copyBind, repeats);
    // Reading one partial sum keeps the read kernel's work observable.
    await readBuffer(device, sink, 4);
    return {
      readGBps: (bytes * repeats) / readSeconds / 1e9,
      copyGBps: (2 * bytes * repeats) / copySeconds / 1e9,
      bytes,
      memory: ledger.report(),
    };
  } finally {
    ledger.destroy();
  }
}

/**
 * Sums a buffer of floats with the probe's `read` kernel (and copies it with `copy`): a correctness
 * check of the kernels the bandwidth figures time.
 * @returns the sum of the partial sums, and the copied values
 */
export async function streamSumAndCopy(
  device: GPUDevice,
  values: Float32Array,
  workgroups = 4,
): Promise<{ sum: number; copy: Float32Array }> {
  if (values.length === 0 || values.length % 4 !== 0)
    throw new InvalidInputError([
      { path: 'bandwidth.values', message: 'values must be a non-empty multiple of 4 floats', received: values.length },
    ]);
  const threads = workgroups * WORKGROUP;
  const kernel = await compileKernel(device, 'bandwidth', preamble('f32', { THREADS: threads }) + code, [
    'stream_read',
    'stream_copy',
  ] as const);
  const ledger = new BufferLedger(device, 'bandwidth');
  try {
    const src = await ledger.storage('source', values.byteLength);
    const sink = await ledger.storage('partial_sums', threads * 4);
    const dst = await ledger.storage('destination', values.byteLength);
    device.queue.writeBuffer(src, 0, values);
    await runPasses(device, 'bandwidth', [
      (pass) => {
        pass.setPipeline(kernel.pipelines.stream_read);
        pass.setBindGroup(0, bindBuffers(device, kernel.pipelines.stream_read, { 0: src, 1: sink }));
        pass.dispatchWorkgroups(workgroups);
        pass.setPipeline(kernel.pipelines.stream_copy);
        pass.setBindGroup(0, bindBuffers(device, kernel.pipelines.stream_copy, { 0: src, 2: dst }));
        pass.dispatchWorkgroups(workgroups);
      },
    ]);
    const partial = new Float32Array(await readBuffer(device, sink));
    let sum = 0;
    for (const x of partial) sum += x;
    return { sum, copy: new Float32Array(await readBuffer(device, dst)) };
  } finally {
    ledger.destroy();
  }
}
