import { InvalidInputError } from '@vramkit/core';
import { dtypeBytes } from '../attention-runner.js';
import { BufferLedger, type MemoryReport } from '../gpu/buffer-ledger.js';
import { bindBuffers, compileKernel, type KernelDtype, preamble, runPasses } from '../gpu/compile.js';
import { fromHalfArray, toHalfArray } from '../gpu/f16.js';
import { readBuffer } from '../gpu/read-buffer.js';
import code from './matmul.wgsl';

/** WGSL source of the tiled matmul (before the runner's preamble). */
export const matmulWgsl: string = code;
/** Rows and columns of C one workgroup computes. */
export const MATMUL_TILE = 64;

/** Shape of `C[m, n] = A[m, k] · B[k, n]`. */
export interface MatmulOptions {
  m: number;
  n: number;
  k: number;
  /** Storage type (default f32; f16 needs `shader-f16`). Accumulation is f32. */
  dtype?: KernelDtype;
}

/** A matmul bound to one device and shape. */
export interface MatmulRunner {
  readonly options: Required<MatmulOptions>;
  /** Floating-point operations of one run: 2·m·n·k. */
  readonly flops: number;
  readonly messages: readonly GPUCompilationMessage[];
  /** Uploads A (m·k floats) and B (k·n floats), row-major. */
  write(a: Float32Array, b: Float32Array): void;
  /** Runs `repeats` matmuls in one submission (default 1); resolves when the GPU is done. */
  run(repeats?: number): Promise<void>;
  /** Reads C back. */
  read(): Promise<Float32Array>;
  memory(): MemoryReport;
  destroy(): void;
}

/**
 * A tiled matmul (64 × 64 tiles, 4 × 4 per invocation).
 * @throws InvalidInputError for a non-positive dimension or f16 without `shader-f16`
 * @throws GpuAllocationError when a matrix exceeds the device's limits
 */
export async function createMatmul(device: GPUDevice, options: MatmulOptions): Promise<MatmulRunner> {
  const issues = [];
  for (const key of ['m', 'n', 'k'] as const) {
    if (!Number.isSafeInteger(options[key]) || options[key] < 1)
      issues.push({ path: `matmul.${key}`, message: `${key} must be a positive integer`, received: options[key] });
  }
  const dtype = options.dtype ?? 'f32';
  if (dtype === 'f16' && !device.features.has('shader-f16'))
    issues.push({ path: 'matmul.dtype', message: 'f16 needs the "shader-f16" feature; use f32', received: dtype });
  if (issues.length > 0) throw new InvalidInputError(issues);
  const { m, n, k } = options;
  const o = { m, n, k, dtype };
  const kernel = await compileKernel(device, 'matmul', preamble(dtype, { M: m, N: n, K: k }) + code, [
    'matmul',
  ] as const);
  const ledger = new BufferLedger(device, 'matmul');
  const el = dtypeBytes(dtype);
  try {
    const a = await ledger.storage('a', m * k * el);
    const b = await ledger.storage('b', k * n * el);
    const c = await ledger.storage('c', m * n * el);
    const pipeline = kernel.pipelines.matmul;
    const bind = bindBuffers(device, pipeline, { 0: a, 1: b, 2: c });
    const upload = (buffer: GPUBuffer, values: Float32Array, count: number, name: string) => {
      if (!(values instanceof Float32Array) || values.length !== count)
        throw new InvalidInputError([
          {
            path: `matmul.${name}`,
            message: `${name} must be a Float32Array of ${count.toLocaleString('en-US')} values`,
            received: values?.length,
          },
        ]);
      if (dtype === 'f32') device.queue.writeBuffer(buffer, 0, values);
      else {
        const h = toHalfArray(values);
        device.queue.writeBuffer(buffer, 0, h.length % 2 ? Uint16Array.from([...h, 0]) : h);
      }
    };
    return {
      options: o,
      flops: 2 * m * n * k,
      messages: kernel.messages,
      write(av, bv) {
        upload(a, av, m * k, 'a');
        upload(b, bv, k * n, 'b');
      },
      run: (repeats = 1) =>
        runPasses(device, 'matmul', [
          (pass) => {
            pass.setPipeline(pipeline);
            pass.setBindGroup(0, bind);
            for (let r = 0; r < repeats; r++)
              pass.dispatchWorkgroups(Math.ceil(n / MATMUL_TILE), Math.ceil(m / MATMUL_TILE));
          },
        ]),
      async read() {
        if (dtype === 'f32') return new Float32Array(await readBuffer(device, c, m * n * 4));
        return fromHalfArray(new Uint16Array(await readBuffer(device, c, m * n * 2)));
      },
      memory: () => ledger.report(),
      destroy: () => ledger.destroy(),
    };
  } catch (e) {
    ledger.destroy();
    throw e;
  }
}
