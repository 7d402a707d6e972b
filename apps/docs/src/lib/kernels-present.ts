/** The kernels package's probe and its throughput helper, for the site (see the site's Vite config). */
export { decodeTokensPerSecondFromProbe, probeDevice } from '@vramkit/kernels-webgpu';
export const kernelsAvailable = true;
