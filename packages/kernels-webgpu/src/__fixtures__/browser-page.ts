// Entry of the browser check: bundled by esbuild, loaded by headless Chromium over loopback HTTP.
import { createFlashAttention, createNaiveAttention, probeDevice, referenceAttention } from '../index.js';
import { randomFill } from '../gpu/random-fill.js';

/** What the page reports back to the test. */
export interface BrowserReport {
  error?: string;
  naiveMaxDiff?: number;
  flashMaxDiff?: number;
  naiveForwardBytes?: number;
  validation?: string | null;
  adapter?: string;
  isCpuAdapter?: boolean;
  readGBps?: number;
  gflops?: number;
}

async function run(): Promise<BrowserReport> {
  const gpu = (globalThis as unknown as { navigator: { gpu?: GPU } }).navigator.gpu;
  if (!gpu) return { error: 'navigator.gpu is undefined (WebGPU disabled)' };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { error: 'requestAdapter() returned null' };
  const device = await adapter.requestDevice();
  const shape = { batch: 1, heads: 2, seqLen: 33, headDim: 8, causal: true };
  const n = 2 * 33 * 8;
  const [q, k, v] = [1, 2, 3].map((s) => randomFill(n, s)) as [Float32Array, Float32Array, Float32Array];
  const ref = referenceAttention({ batchHeads: 2, seqLen: 33, headDim: 8, causal: true }, q, k, v).output;
  const diff = (a: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - ref[i]!)), 0);
  device.pushErrorScope('validation');
  const naive = await createNaiveAttention(device, shape);
  const flash = await createFlashAttention(device, shape);
  for (const a of [naive, flash]) {
    a.write({ q, k, v });
    await a.forward();
  }
  const report: BrowserReport = {
    naiveMaxDiff: diff(await naive.read('output')),
    flashMaxDiff: diff(await flash.read('output')),
    naiveForwardBytes: naive.memory().forwardBytes,
  };
  naive.destroy();
  flash.destroy();
  const probe = await probeDevice(device, { quick: true });
  report.validation = (await device.popErrorScope())?.message ?? null;
  device.destroy();
  return { ...report, adapter: probe.adapter, isCpuAdapter: probe.isCpuAdapter, readGBps: probe.bandwidth.readGBps, gflops: probe.matmul.gflops };
}

(globalThis as unknown as { runKernels: () => Promise<BrowserReport> }).runKernels = () => run().catch((e: Error) => ({ error: `${e.name}: ${e.message}` }));
