/**
 * The "your GPU" page's only contact with `@vramkit/kernels-webgpu`, written against the contract
 * `probeDevice(device, { quick }) → DeviceProbe`. The site creates the device (the package never
 * does); the decode speed the measured bandwidth implies comes from core's throughput model.
 */
import type { PreparedModel, ThroughputEstimate, WeightFormat } from '@vramkit/core';
// Resolved by the site's Vite config: the kernels package when the workspace has it, else a module that says it is missing.
import { decodeTokensPerSecondFromProbe, kernelsAvailable, probeDevice } from 'virtual:vramkit-kernels';

/** What the kernels package measures (the shared contract). */
export interface DeviceProbe {
  bandwidth: { readGBps: number; copyGBps: number; bytes: number };
  matmul: { gflops: number };
  adapter: string;
  isCpuAdapter: boolean;
}

/** The few WebGPU types this module touches (no dependency on @webgpu/types). */
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  requestDevice(): Promise<unknown>;
}
interface NavigatorGpu {
  gpu?: { requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapterLike | null> };
}

/** Why the probe cannot run here. */
export class ProbeUnavailableError extends Error {
  constructor(
    readonly reason: 'no-webgpu' | 'no-adapter' | 'no-kernels',
    message: string,
  ) {
    super(message);
    this.name = 'ProbeUnavailableError';
  }
}

/** Whether this build of the site carries the kernels package. */
export const hasKernels: boolean = kernelsAvailable;

/** The adapter's self-description, as text. */
export function describeAdapter(a: GpuAdapterLike): string {
  const i = a.info ?? {};
  return (
    [i.vendor, i.architecture, i.device, i.description]
      .filter((s) => typeof s === 'string' && s.length > 0)
      .join(' · ') || 'unnamed adapter'
  );
}

/**
 * Requests an adapter and a device and runs the kernels package's probe.
 * @throws ProbeUnavailableError when WebGPU, an adapter or the kernels package is missing
 */
export async function runProbe(quick: boolean, onAdapter?: (description: string) => void): Promise<DeviceProbe> {
  const gpu = (navigator as unknown as NavigatorGpu).gpu;
  if (!gpu)
    throw new ProbeUnavailableError(
      'no-webgpu',
      'This browser does not expose WebGPU (navigator.gpu is missing). Try a current Chrome, Edge or Safari, or enable WebGPU in your browser settings.',
    );
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new ProbeUnavailableError(
      'no-adapter',
      'WebGPU is present but no adapter was offered (the GPU may be blocklisted, or hardware acceleration is off).',
    );
  onAdapter?.(describeAdapter(adapter));
  if (!kernelsAvailable)
    throw new ProbeUnavailableError(
      'no-kernels',
      'This build of the site does not include @vramkit/kernels-webgpu, so there is no probe to run.',
    );
  const device = await adapter.requestDevice();
  try {
    return (await probeDevice(device as never, { quick })) as DeviceProbe;
  } finally {
    (device as { destroy?: () => void }).destroy?.();
  }
}

/**
 * Decode tokens/s that the measured read bandwidth implies for a model: the kernels package's
 * helper over core's bandwidth-bound decode model (efficiency 1: the probe measured what is achieved).
 * @throws the library's InvalidInputError for a bad context or format
 */
export function impliedDecode(
  probe: DeviceProbe,
  model: PreparedModel,
  format: WeightFormat | undefined,
  context: number,
): ThroughputEstimate {
  return decodeTokensPerSecondFromProbe(probe, { model, ...(format ? { format } : {}), context });
}
