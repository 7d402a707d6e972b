import { VramkitError } from '@vramkit/core';

/**
 * A buffer the kernel needs is larger than the device allows (`maxBufferSize`,
 * `maxStorageBufferBindingSize`) or the device ran out of memory creating it — the WebGPU
 * counterpart of the seed-002 benchmark's CUDA OOM. Code `DOES_NOT_FIT`.
 */
export class GpuAllocationError extends VramkitError {
  /** Bytes that were asked for. */
  readonly bytes: number;
  /** The device limit it exceeded, when a limit (not the allocator) refused it. */
  readonly limit: number | undefined;
  /** Label of the buffer. */
  readonly label: string;

  constructor(label: string, bytes: number, limit: number | undefined, detail: string) {
    super(
      'DOES_NOT_FIT',
      `Cannot allocate ${label} (${bytes.toLocaleString('en-US')} bytes): ${detail}. Use smaller shapes, or request higher limits (adapter.limits) when creating the device.`,
      { path: label },
    );
    this.name = 'GpuAllocationError';
    this.bytes = bytes;
    this.limit = limit;
    this.label = label;
  }
}

/**
 * WebGPU rejected a shader or a pipeline (a compilation message of type `error`, or an error from
 * a `validation` error scope). It means a bug in this package or a device far below the WebGPU
 * defaults; the message carries the driver's text.
 */
export class GpuKernelError extends Error {
  /** `compilation` (WGSL did not compile) or `validation` (a pipeline, binding or dispatch was invalid). */
  readonly kind: 'compilation' | 'validation';

  constructor(kind: 'compilation' | 'validation', message: string) {
    super(message);
    this.name = 'GpuKernelError';
    this.kind = kind;
  }
}
