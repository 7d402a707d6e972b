import { type BreakdownPart, lazyPart } from './breakdown.js';
import { MIB } from './units.js';

/** Runtime overhead outside tensors the model owns. Every field is overridable; none is hidden. */
export interface OverheadOptions {
  /**
   * CUDA context, kernels and library workspaces (cuBLAS, cuDNN) created by the runtime.
   * Default 512 MiB: PyTorch's CUDA context measures 300–600 MiB on Ampere/Hopper
   * (a measured Qwen3-8B-layout model: 14.38 GiB of bf16 weights read 14.88 GiB in use, +0.5 GiB).
   */
  contextBytes?: number;
  /**
   * Fraction of the dynamic memory (KV cache + activations) the caching allocator holds on top in
   * rounding and fragmentation. Default 0.05 (PyTorch CUDACachingAllocator rounds blocks up to 512 B /
   * 2 MiB segments; reserved − allocated is a few percent on inference workloads).
   */
  allocatorFraction?: number;
}

/** Defaults of {@link OverheadOptions}, written once. */
export const DEFAULT_OVERHEAD = { contextBytes: 512 * MIB, allocatorFraction: 0.05 } as const;

/**
 * Runtime overhead as an explicit part: the CUDA context and the allocator's share of dynamic memory.
 * @param dynamicBytes KV cache + activations, the memory the allocator churns
 */
export function overheadBytes(dynamicBytes: number, options: OverheadOptions = {}): BreakdownPart {
  const context = options.contextBytes ?? DEFAULT_OVERHEAD.contextBytes;
  const fraction = options.allocatorFraction ?? DEFAULT_OVERHEAD.allocatorFraction;
  const allocator = Math.ceil(dynamicBytes * fraction);
  return lazyPart(
    context + allocator,
    () => `CUDA context ${Math.round(context / MIB)} MiB + allocator ${Math.round(fraction * 100)}% of dynamic memory`,
    {
      accuracy: 'model',
      source:
        'PyTorch CUDA context (measured: +0.5 GiB over the weights of an 8B model); c10/cuda/CUDACachingAllocator.cpp rounding',
      parts: {
        cudaContext: lazyPart(
          context,
          () => 'runtime context, kernels and library workspaces (override with overhead.contextBytes)',
        ),
        allocator: lazyPart(
          allocator,
          () => `${fraction} × (KV cache + activations) (override with overhead.allocatorFraction)`,
        ),
      },
    },
  );
}
