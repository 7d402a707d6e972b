import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

/** Dawn's SwiftShader (CPU Vulkan) driver as Debian's chromium package installs it. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface TestGpu {
  /** The dawn.node instance: it must stay referenced while the device is in use (its GC tears Dawn down mid-work). */
  gpu: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
}

/**
 * A WebGPU device from the `webgpu` npm package (Dawn in Node), with the adapter's buffer limits and
 * `shader-f16` where it exists. Returns undefined (tests skip with a message) when there is no
 * adapter — except in CI (`CI=true`), where a missing adapter throws so the run fails loudly.
 */
export async function testGpu(): Promise<TestGpu | undefined> {
  Object.assign(globalThis, globals);
  // Dawn zero-fills workgroup memory at every entry point; SwiftShader compiles that fill so slowly
  // (seconds per flash-attention pipeline) that the tests would not fit CI. Every kernel here
  // writes its workgroup memory before reading it, so the fill is not needed.
  const gpu = create(['enable-dawn-features=disable_workgroup_init']);
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    const hint = `no WebGPU adapter: install chromium and libvulkan1 (apt-get install -y chromium libvulkan1) so that ${SWIFTSHADER_ICD} exists${existsSync(SWIFTSHADER_ICD) ? '' : ' (it does not)'}`;
    if (process.env.CI === 'true') throw new Error(`${hint}; CI must run the GPU tests`);
    console.warn(`skipping GPU tests: ${hint}`);
    return undefined;
  }
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('shader-f16') ? ['shader-f16'] : [],
    requiredLimits: {
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize,
      maxStorageBuffersPerShaderStage: Math.min(adapter.limits.maxStorageBuffersPerShaderStage, 16),
    },
  });
  return { gpu, adapter, device };
}

/**
 * Runs `fn` inside a `validation` error scope and fails with the device's message if WebGPU
 * reported a validation error (an invalid binding, buffer or dispatch).
 */
export async function withValidation<T>(device: GPUDevice, fn: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  const result = await fn();
  const error = await device.popErrorScope();
  if (error) throw new Error(`WebGPU validation error: ${error.message}`);
  return result;
}

/** Deterministic uniform floats in [-1, 1), so a failing case reproduces. */
export { randomFill as randomFloats } from '../gpu/random-fill.js';

/** Largest |a − b| over two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
