/** Stands in for `@vramkit/kernels-webgpu` when the workspace does not have it (see the site's Vite config). */
export const kernelsAvailable = false;

const missing = () => new Error('@vramkit/kernels-webgpu is not part of this build');

/** Never called: `runProbe` checks {@link kernelsAvailable} first. */
export function probeDevice(): Promise<never> {
  return Promise.reject(missing());
}

/** Never called: there is no probe result without the package. */
export function decodeTokensPerSecondFromProbe(): never {
  throw missing();
}
