import { GpuKernelError } from '../errors.js';

/** A compiled shader module with one compute pipeline per entry point, and what the compiler said. */
export interface CompiledKernel<E extends string> {
  pipelines: Record<E, GPUComputePipeline>;
  /** `getCompilationInfo()` messages (warnings and infos; errors throw). */
  messages: readonly GPUCompilationMessage[];
}

/** Storage element type of a kernel: `f32`, or `f16` on devices with the `shader-f16` feature. */
export type KernelDtype = 'f32' | 'f16';

/**
 * WGSL preamble that a runner prepends to a `.wgsl` file: `enable f16` where needed, `alias T` (the
 * storage element type) and the shape constants the file uses.
 */
export function preamble(dtype: KernelDtype, constants: Record<string, number | boolean>): string {
  const lines = dtype === 'f16' ? ['enable f16;', 'alias T = f16;'] : ['alias T = f32;'];
  for (const [name, value] of Object.entries(constants)) {
    if (typeof value === 'boolean') lines.push(`const ${name}: bool = ${value};`);
    else if (Number.isInteger(value) && value >= 0) lines.push(`const ${name}: u32 = ${value}u;`);
    else lines.push(`const ${name}: f32 = ${value};`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Compiles WGSL and creates a compute pipeline for each entry point, inside a `validation` error
 * scope, reading `getCompilationInfo()`.
 * @throws GpuKernelError on a compilation error or a validation error
 */
export async function compileKernel<E extends string>(
  device: GPUDevice,
  label: string,
  code: string,
  entryPoints: readonly E[],
): Promise<CompiledKernel<E>> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ label, code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    await device.popErrorScope();
    throw new GpuKernelError(
      'compilation',
      `${label}: ${errors.map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`,
    );
  }
  const pipelines = {} as Record<E, GPUComputePipeline>;
  for (const entryPoint of entryPoints) {
    // Created synchronously so that an invalid pipeline lands in the validation scope above.
    pipelines[entryPoint] = device.createComputePipeline({
      label: `${label}.${entryPoint}`,
      layout: 'auto',
      compute: { module, entryPoint },
    });
  }
  const error = await device.popErrorScope();
  if (error) throw new GpuKernelError('validation', `${label}: ${error.message}`);
  return { pipelines, messages: info.messages.filter((m) => m.type !== 'error') };
}

/** A bind group of group 0 of `pipeline`, binding number → buffer (only the bindings the entry point uses). */
export function bindBuffers(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  buffers: Readonly<Record<number, GPUBuffer>>,
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: Object.entries(buffers).map(([binding, buffer]) => ({ binding: Number(binding), resource: { buffer } })),
  });
}

/** Most workgroups a dispatch dimension may have (WebGPU default `maxComputeWorkgroupsPerDimension`). */
const MAX_DIM = 65535;

/**
 * Splits `count` workgroups over x and y (each ≤ 65535); shaders rebuild the flat index as
 * `wid.x + wid.y * nwg.x` and skip indices ≥ count.
 */
export function dispatch2d(pass: GPUComputePassEncoder, count: number, z = 1): void {
  const x = Math.min(count, MAX_DIM);
  pass.dispatchWorkgroups(x, Math.ceil(count / x), z);
}

/** Encodes one compute pass per step and submits them together; resolves when the GPU is done. */
export async function runPasses(
  device: GPUDevice,
  label: string,
  steps: readonly ((pass: GPUComputePassEncoder) => void)[],
): Promise<void> {
  const encoder = device.createCommandEncoder({ label });
  for (const step of steps) {
    const pass = encoder.beginComputePass({ label });
    step(pass);
    pass.end();
  }
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
}
