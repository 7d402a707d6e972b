declare module 'virtual:vramkit-kernels' {
  import type { PreparedModel, ThroughputEstimate, WeightFormat } from '@vramkit/core';
  /** True when the site was built with `@vramkit/kernels-webgpu`. */
  export const kernelsAvailable: boolean;
  /** `@vramkit/kernels-webgpu`'s probe (the shared contract). */
  export function probeDevice(device: unknown, options?: { quick?: boolean }): Promise<unknown>;
  /** `@vramkit/kernels-webgpu`'s decode tokens/s from a probe, through core's throughput model. */
  export function decodeTokensPerSecondFromProbe(
    probe: unknown,
    o: {
      model: PreparedModel;
      format?: WeightFormat;
      context: number;
      batch?: number;
      kvDtype?: string;
      efficiency?: number;
    },
  ): ThroughputEstimate;
}
