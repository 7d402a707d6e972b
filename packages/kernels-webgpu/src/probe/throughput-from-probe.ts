import {
  type Architecture,
  customGpu,
  decodeThroughput,
  type GpuSpec,
  type PreparedModel,
  prefillThroughput,
  type ThroughputEstimate,
  type WeightFormat,
} from '@vramkit/core';
import type { DeviceProbe } from './probe-device.js';

/** Model and workload for the probe-based throughput helpers (as core's `ThroughputOptions`, without the GPU). */
export interface ProbeThroughputOptions {
  model: Architecture | PreparedModel;
  /** Weight format (default bf16). */
  format?: WeightFormat;
  /** Tokens already in each sequence's cache. */
  context: number;
  /** Sequences decoded together (default 1). */
  batch?: number;
  /** KV dtype (default f16). */
  kvDtype?: string;
  /**
   * Fraction of the probe's figure the engine reaches, 0.01–1. Default 1: the probe measured what
   * this device streams and multiplies, so the estimate is "as fast as the probe's own kernels".
   */
  efficiency?: number;
}

/** The probe as a core `GpuSpec`: measured read GB/s as bandwidth, matmul TFLOP/s for fp32 and fp16; no memory figure. */
function probeGpu(probe: DeviceProbe): GpuSpec {
  const tflops = probe.matmul.gflops / 1000;
  return customGpu(0, {
    name: `${probe.adapter} (probed${probe.isCpuAdapter ? ', CPU adapter' : ''})`,
    bandwidthGBps: probe.bandwidth.readGBps,
    tflops: { fp32: tflops, fp16: tflops },
  });
}

/**
 * Decode tokens/s on the probed device through core's bandwidth-bound model (`decodeThroughput`):
 * each step reads the active weights and the KV cache at the probe's read bandwidth × `efficiency`.
 * @returns core's estimate (tokens/s, bytes per step in the parts)
 * @throws InvalidInputError when the probe measured no bandwidth or an option is out of range
 */
export function decodeTokensPerSecondFromProbe(probe: DeviceProbe, o: ProbeThroughputOptions): ThroughputEstimate {
  return decodeThroughput({
    model: o.model,
    format: o.format,
    gpu: probeGpu(probe),
    context: o.context,
    batch: o.batch,
    kvDtype: o.kvDtype,
    bandwidthEfficiency: o.efficiency ?? 1,
  });
}

/**
 * Prefill tokens/s on the probed device through core's compute-bound model (`prefillThroughput`)
 * at the probe's matmul GFLOP/s × `efficiency`.
 * @returns core's estimate (tokens/s, FLOPs per token in the parts)
 * @throws InvalidInputError when the probe measured no GFLOP/s or an option is out of range
 */
export function prefillTokensPerSecondFromProbe(probe: DeviceProbe, o: ProbeThroughputOptions): ThroughputEstimate {
  return prefillThroughput({
    model: o.model,
    format: o.format,
    gpu: probeGpu(probe),
    context: o.context,
    computeDtype: 'fp16',
    computeEfficiency: o.efficiency ?? 1,
  });
}
