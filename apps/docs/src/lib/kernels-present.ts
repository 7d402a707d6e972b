/** Re-exports the kernels package's probe for the site; used only when the workspace has packages/kernels-webgpu (see the site's Vite config). */
export { probeDevice } from '@vramkit/kernels-webgpu';
export const kernelsAvailable = true;
