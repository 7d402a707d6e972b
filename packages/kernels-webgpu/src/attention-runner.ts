import { InvalidInputError } from '@vramkit/core';
import type { MemoryReport } from './gpu/buffer-ledger.js';
import type { KernelDtype } from './gpu/compile.js';
import { fromHalfArray, toHalfArray } from './gpu/f16.js';
import { readBuffer } from './gpu/read-buffer.js';

/** Shape and options of an attention runner. Tensors are `[batch, heads, seqLen, headDim]`, row-major. */
export interface AttentionOptions {
  batch: number;
  heads: number;
  /** Query and key tokens (self-attention). */
  seqLen: number;
  /** Head dimension, 1–256. */
  headDim: number;
  /** Mask keys after the query (decoder attention). Default false. */
  causal?: boolean;
  /** Storage type of Q, K, V, O and the gradients: `f32` (default) or `f16` (needs the `shader-f16` device feature). */
  dtype?: KernelDtype;
}

/** Options with their defaults filled in. */
export type ResolvedAttentionOptions = Required<AttentionOptions>;

/** The tensors an attention runner can read back. */
export type AttentionTensor = 'output' | 'grad_q' | 'grad_k' | 'grad_v';

/** An attention kernel bound to one device and one shape, holding its buffers until `destroy()`. */
export interface AttentionRunner {
  readonly kind: 'naive' | 'flash';
  readonly options: ResolvedAttentionOptions;
  /** Non-error `getCompilationInfo()` messages of the shaders (empty when the compiler had nothing to say). */
  readonly messages: readonly GPUCompilationMessage[];
  /** Uploads Q, K, V (each `batch × heads × seqLen × headDim` floats). */
  write(inputs: { q: Float32Array; k: Float32Array; v: Float32Array }): void;
  /** Runs the forward pass; resolves when the GPU has finished. */
  forward(): Promise<void>;
  /** Runs the backward pass for `gradOutput` = dL/dO (after `forward()`); allocates its buffers on first use. */
  backward(gradOutput: Float32Array): Promise<void>;
  /** Reads a tensor back as floats. */
  read(tensor: AttentionTensor): Promise<Float32Array>;
  /** Every buffer this runner allocated, with per-phase byte totals. */
  memory(): MemoryReport;
  /** Destroys every buffer. */
  destroy(): void;
}

/** Checks attention options against the device and fills defaults. */
export function resolveAttentionOptions(device: GPUDevice, o: AttentionOptions): ResolvedAttentionOptions {
  const issues = [];
  for (const key of ['batch', 'heads', 'seqLen', 'headDim'] as const) {
    if (!Number.isSafeInteger(o[key]) || o[key] < 1)
      issues.push({ path: `attention.${key}`, message: `${key} must be a positive integer`, received: o[key] });
  }
  if (o.headDim > 256)
    issues.push({
      path: 'attention.headDim',
      message: 'headDim must be at most 256 (each invocation keeps a row in registers)',
      received: o.headDim,
    });
  const dtype = o.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16')
    issues.push({ path: 'attention.dtype', message: 'dtype must be "f32" or "f16"', received: dtype });
  if (dtype === 'f16' && !device.features.has('shader-f16'))
    issues.push({
      path: 'attention.dtype',
      message: 'f16 needs the "shader-f16" feature: request it in requiredFeatures when the adapter has it, or use f32',
      received: dtype,
    });
  if (o.batch * o.heads > 65535)
    issues.push({
      path: 'attention.batch',
      message: 'batch × heads must be at most 65,535 (one dispatch row each)',
      received: o.batch * o.heads,
    });
  if (issues.length > 0) throw new InvalidInputError(issues);
  return { batch: o.batch, heads: o.heads, seqLen: o.seqLen, headDim: o.headDim, causal: o.causal ?? false, dtype };
}

/** Elements of one `[batch, heads, seqLen, headDim]` tensor. */
export function tensorElements(o: ResolvedAttentionOptions): number {
  return o.batch * o.heads * o.seqLen * o.headDim;
}

/** Uploads floats into a tensor buffer of the runner's dtype. */
export function writeTensor(
  device: GPUDevice,
  buffer: GPUBuffer,
  values: Float32Array,
  o: ResolvedAttentionOptions,
  name: string,
): void {
  const n = tensorElements(o);
  if (!(values instanceof Float32Array) || values.length !== n)
    throw new InvalidInputError([
      {
        path: `attention.${name}`,
        message: `${name} must be a Float32Array of batch × heads × seqLen × headDim = ${n.toLocaleString('en-US')} values`,
        received: values?.length,
      },
    ]);
  if (o.dtype === 'f32') {
    device.queue.writeBuffer(buffer, 0, values);
    return;
  }
  const half = toHalfArray(values);
  const padded = half.length % 2 === 0 ? half : Uint16Array.from([...half, 0]);
  device.queue.writeBuffer(buffer, 0, padded);
}

/** Reads a tensor buffer of the runner's dtype back as floats. */
export async function readTensor(
  device: GPUDevice,
  buffer: GPUBuffer,
  o: ResolvedAttentionOptions,
): Promise<Float32Array> {
  const n = tensorElements(o);
  if (o.dtype === 'f32') return new Float32Array(await readBuffer(device, buffer, n * 4));
  return fromHalfArray(new Uint16Array(await readBuffer(device, buffer, n * 2)));
}

/** Bytes of one element of the storage dtype. */
export function dtypeBytes(dtype: KernelDtype): 2 | 4 {
  return dtype === 'f16' ? 2 : 4;
}
