import { measureBandwidth } from '../bandwidth/bandwidth.js';
import { randomFill } from '../gpu/random-fill.js';
import { createMatmul } from '../matmul/matmul.js';

/** What {@link probeDevice} measured on one adapter. */
export interface DeviceProbe {
  /** Streaming bandwidth in GB/s (10⁹ B/s): `read` sums a buffer, `copy` counts read + write; `bytes` is the buffer size. */
  bandwidth: { readGBps: number; copyGBps: number; bytes: number };
  /** f32 GFLOP/s of this package's tiled matmul on square matrices. */
  matmul: { gflops: number };
  /** The adapter as `GPUAdapterInfo` names it (vendor, architecture, description). */
  adapter: string;
  /** True for a software adapter (SwiftShader, llvmpipe, WARP, a fallback adapter): its figures are the CPU's. */
  isCpuAdapter: boolean;
}

/** Options of {@link probeDevice}. */
export interface ProbeOptions {
  /** A fast probe (16 MiB stream, 256³ matmul) for page load; default false (256 MiB, 1024³). */
  quick?: boolean;
}

const CPU_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|basic render|\bcpu\b/i;

/** One line naming the device's adapter, and whether it is a software (CPU) adapter. */
export function describeAdapter(device: GPUDevice): { adapter: string; isCpuAdapter: boolean } {
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  if (!info) return { adapter: 'unknown adapter', isCpuAdapter: false };
  const words = [info.vendor, info.architecture, info.device, info.description].filter(
    (w, i, all) => w && all.indexOf(w) === i,
  );
  const adapter = words.join(' ') || 'unknown adapter';
  return {
    adapter,
    isCpuAdapter:
      (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
      CPU_ADAPTER.test(adapter),
  };
}

/**
 * Measures the device a visitor's browser (or Node) gives: streaming read and copy bandwidth, and
 * matmul GFLOP/s. Turn the result into tokens/s with {@link decodeTokensPerSecondFromProbe} and
 * {@link prefillTokensPerSecondFromProbe}. Takes seconds on a real GPU, longer on a CPU adapter.
 * @param device a device the caller created (the package never creates one)
 */
export async function probeDevice(device: GPUDevice, options: ProbeOptions = {}): Promise<DeviceProbe> {
  const quick = options.quick ?? false;
  const bw = await measureBandwidth(device, { bytes: (quick ? 16 : 256) * 1024 * 1024, repeats: quick ? 3 : 10 });
  const size = quick ? 256 : 1024;
  const mm = await createMatmul(device, { m: size, n: size, k: size });
  try {
    mm.write(randomFill(size * size, 1), randomFill(size * size, 2));
    await mm.run();
    const repeats = quick ? 2 : 5;
    const start = performance.now();
    await mm.run(repeats);
    const seconds = (performance.now() - start) / 1000;
    return {
      bandwidth: { readGBps: bw.readGBps, copyGBps: bw.copyGBps, bytes: bw.bytes },
      matmul: { gflops: (mm.flops * repeats) / seconds / 1e9 },
      ...describeAdapter(device),
    };
  } finally {
    mm.destroy();
  }
}
