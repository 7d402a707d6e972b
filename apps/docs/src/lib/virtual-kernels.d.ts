declare module 'virtual:vramkit-kernels' {
  /** True when the site was built with `@vramkit/kernels-webgpu`. */
  export const kernelsAvailable: boolean;
  export function probeDevice(device: unknown, options?: { quick?: boolean }): Promise<unknown>;
}
