/** Stands in for `@vramkit/kernels-webgpu` when the workspace does not have it (see the site's Vite config). */
export const kernelsAvailable = false;

/** Never called: `runProbe` checks {@link kernelsAvailable} first. */
export function probeDevice(): Promise<never> {
  return Promise.reject(new Error('@vramkit/kernels-webgpu is not part of this build'));
}
