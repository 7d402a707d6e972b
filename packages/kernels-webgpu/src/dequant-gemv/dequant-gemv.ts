import { InvalidInputError } from '@vramkit/core';
import { BufferLedger, type MemoryReport } from '../gpu/buffer-ledger.js';
import { bindBuffers, compileKernel, dispatch2d, preamble, runPasses } from '../gpu/compile.js';
import { readBuffer } from '../gpu/read-buffer.js';
import code from './dequant-gemv.wgsl';
import { GEMV_TYPES, type GemvType, ggmlBlockLayout } from './ggml-blocks.js';

/** WGSL source of the dequantize-GEMV kernels (before the runner's preamble). */
export const dequantGemvWgsl: string = code;

/** Shape of `y[rows] = W[rows, cols] · x[cols]` with W in a ggml block type. */
export interface DequantGemvOptions {
  type: GemvType;
  rows: number;
  /** Columns, a multiple of the type's block size (32 for Q8_0, 256 for Q4_K). */
  cols: number;
}

/** A dequantize-GEMV bound to one device and shape. */
export interface DequantGemvRunner {
  readonly options: DequantGemvOptions;
  /** Bytes of W as a GGUF file stores it: rows × cols / blockElements × blockBytes. */
  readonly weightBytes: number;
  readonly messages: readonly GPUCompilationMessage[];
  /** Uploads W (raw GGUF tensor bytes) and x. */
  write(weights: Uint8Array, x: Float32Array): void;
  /** Runs `repeats` GEMVs in one submission (default 1). */
  run(repeats?: number): Promise<void>;
  /** Reads y back. */
  read(): Promise<Float32Array>;
  memory(): MemoryReport;
  destroy(): void;
}

/**
 * Dequantize-GEMV for ggml Q8_0 and Q4_K blocks in their exact GGUF layout (block sizes from the
 * ggml table of `@vramkit/core`): the decode-time matrix-vector product of llama.cpp.
 * @throws InvalidInputError for an unknown type, or `cols` not a multiple of the block size
 * @throws GpuAllocationError when W exceeds the device's limits
 */
export async function createDequantGemv(device: GPUDevice, options: DequantGemvOptions): Promise<DequantGemvRunner> {
  if (!GEMV_TYPES.includes(options.type))
    throw new InvalidInputError([
      { path: 'gemv.type', message: `type must be one of ${GEMV_TYPES.join(', ')}`, received: options.type },
    ]);
  const layout = ggmlBlockLayout(options.type);
  const { rows, cols } = options;
  const issues = [];
  if (!Number.isSafeInteger(rows) || rows < 1)
    issues.push({ path: 'gemv.rows', message: 'rows must be a positive integer', received: rows });
  if (!Number.isSafeInteger(cols) || cols < 1 || cols % layout.blockElements !== 0)
    issues.push({
      path: 'gemv.cols',
      message: `cols must be a positive multiple of ${layout.blockElements} (the ${options.type} block)`,
      received: cols,
    });
  if (issues.length > 0) throw new InvalidInputError(issues);
  const weightBytes = (rows * cols * layout.blockBytes) / layout.blockElements;
  const o = layout.offsets;
  const kernel = await compileKernel(
    device,
    `dequant-gemv.${options.type}`,
    preamble('f32', {
      ROWS: rows,
      COLS: cols,
      BLOCK_ELEMS: layout.blockElements,
      BLOCK_BYTES: layout.blockBytes,
      OFF_D: o.d!,
      OFF_DMIN: o.dmin ?? 0,
      OFF_SCALES: o.scales ?? 0,
      OFF_QS: o.qs!,
    }) + code,
    [options.type === 'Q8_0' ? 'gemv_q8_0' : 'gemv_q4_k'] as const,
  );
  const pipeline = Object.values(kernel.pipelines)[0] as GPUComputePipeline;
  const ledger = new BufferLedger(device, `dequant-gemv.${options.type}`);
  try {
    const w = await ledger.storage('weights', weightBytes);
    const x = await ledger.storage('x', cols * 4);
    const y = await ledger.storage('y', rows * 4);
    const bind = bindBuffers(device, pipeline, { 0: w, 1: x, 2: y });
    return {
      options: { ...options },
      weightBytes,
      messages: kernel.messages,
      write(weights, xv) {
        if (!(weights instanceof Uint8Array) || weights.length !== weightBytes)
          throw new InvalidInputError([
            {
              path: 'gemv.weights',
              message: `weights must be ${weightBytes.toLocaleString('en-US')} bytes (${rows} rows × ${cols / layout.blockElements} ${options.type} blocks of ${layout.blockBytes} bytes)`,
              received: weights?.length,
            },
          ]);
        if (!(xv instanceof Float32Array) || xv.length !== cols)
          throw new InvalidInputError([
            { path: 'gemv.x', message: `x must be a Float32Array of ${cols} values`, received: xv?.length },
          ]);
        const padded =
          weights.length % 4 === 0
            ? weights
            : Uint8Array.from([...weights, 0, 0, 0].slice(0, Math.ceil(weights.length / 4) * 4));
        device.queue.writeBuffer(w, 0, padded);
        device.queue.writeBuffer(x, 0, xv);
      },
      run: (repeats = 1) =>
        runPasses(device, 'dequant-gemv', [
          (pass) => {
            pass.setPipeline(pipeline);
            pass.setBindGroup(0, bind);
            for (let r = 0; r < repeats; r++) dispatch2d(pass, rows);
          },
        ]),
      read: async () => new Float32Array(await readBuffer(device, y, rows * 4)),
      memory: () => ledger.report(),
      destroy: () => ledger.destroy(),
    };
  } catch (e) {
    ledger.destroy();
    throw e;
  }
}
