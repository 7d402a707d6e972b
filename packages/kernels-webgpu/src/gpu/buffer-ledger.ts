import { GpuAllocationError } from '../errors.js';

/** One buffer a runner allocated, as reported by its `memory()`. */
export interface AllocatedBuffer {
  /** Unique label, also given to the `GPUBuffer` (`naive-attention.scores`). */
  label: string;
  /** What the buffer holds (`q`, `scores`, `probabilities`, `grad_q`, `logsumexp`, …). */
  role: string;
  /** Size in bytes, exactly as passed to `createBuffer`. */
  bytes: number;
  /** `forward` for buffers the forward pass needs; `backward` for those the backward pass adds. */
  phase: 'forward' | 'backward';
}

/** Every buffer a runner holds: the list, and byte totals per phase. */
export interface MemoryReport {
  buffers: readonly AllocatedBuffer[];
  /** Sum over every buffer. */
  bytes: number;
  /** Sum over the forward buffers: the forward pass's peak device memory. */
  forwardBytes: number;
  /** Sum over the buffers the backward pass adds. */
  backwardBytes: number;
}

/**
 * Creates buffers for one runner and records each of them, so that a runner's memory is the sum of
 * what it asked WebGPU for — nothing estimated. Checks the device limits first and catches
 * out-of-memory, turning both into {@link GpuAllocationError}.
 */
export class BufferLedger {
  readonly #device: GPUDevice;
  readonly #prefix: string;
  readonly #entries: { info: AllocatedBuffer; buffer: GPUBuffer }[] = [];

  constructor(device: GPUDevice, prefix: string) {
    this.#device = device;
    this.#prefix = prefix;
  }

  /**
   * Allocates a storage buffer (copy source and destination too, so it can be written and read back).
   * @throws GpuAllocationError when the size exceeds a device limit or the device is out of memory
   */
  async storage(role: string, bytes: number, phase: AllocatedBuffer['phase'] = 'forward'): Promise<GPUBuffer> {
    const label = `${this.#prefix}.${role}`;
    const limits = this.#device.limits;
    if (bytes > limits.maxBufferSize)
      throw new GpuAllocationError(
        label,
        bytes,
        limits.maxBufferSize,
        `over the device's maxBufferSize of ${limits.maxBufferSize.toLocaleString('en-US')} bytes`,
      );
    if (bytes > limits.maxStorageBufferBindingSize)
      throw new GpuAllocationError(
        label,
        bytes,
        limits.maxStorageBufferBindingSize,
        `over the device's maxStorageBufferBindingSize of ${limits.maxStorageBufferBindingSize.toLocaleString('en-US')} bytes`,
      );
    // WebGPU sizes must be multiples of 4 for copies; every tensor here is 2- or 4-byte elements.
    const size = Math.ceil(bytes / 4) * 4;
    this.#device.pushErrorScope('out-of-memory');
    const buffer = this.#device.createBuffer({
      label,
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const oom = await this.#device.popErrorScope();
    if (oom) {
      buffer.destroy();
      throw new GpuAllocationError(label, bytes, undefined, `the device is out of memory (${oom.message})`);
    }
    this.#entries.push({ info: { label, role, bytes: size, phase }, buffer });
    return buffer;
  }

  /** The buffers allocated so far and their totals. */
  report(): MemoryReport {
    const buffers = this.#entries.map((e) => ({ ...e.info }));
    let forwardBytes = 0;
    let backwardBytes = 0;
    for (const b of buffers) {
      if (b.phase === 'forward') forwardBytes += b.bytes;
      else backwardBytes += b.bytes;
    }
    return { buffers, bytes: forwardBytes + backwardBytes, forwardBytes, backwardBytes };
  }

  /** Destroys every buffer. */
  destroy(): void {
    for (const e of this.#entries) e.buffer.destroy();
    this.#entries.length = 0;
  }
}
