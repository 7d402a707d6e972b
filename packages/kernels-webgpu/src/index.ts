export type {
  AttentionOptions,
  AttentionRunner,
  AttentionTensor,
  ResolvedAttentionOptions,
} from './attention-runner.js';
export {
  type BandwidthOptions,
  type BandwidthResult,
  bandwidthWgsl,
  maxStreamBytes,
  measureBandwidth,
  streamSumAndCopy,
} from './bandwidth/bandwidth.js';
export { dequantizeGgml } from './dequant-gemv/cpu-dequantize.js';
export {
  createDequantGemv,
  type DequantGemvOptions,
  type DequantGemvRunner,
  dequantGemvWgsl,
} from './dequant-gemv/dequant-gemv.js';
export { GEMV_TYPES, type GemvType, type GgmlBlockLayout, ggmlBlockLayout } from './dequant-gemv/ggml-blocks.js';
export { GpuAllocationError, GpuKernelError } from './errors.js';
export {
  createFlashAttention,
  FLASH_ATTENTION_BLOCK_Q,
  flashAttentionBlockK,
  flashAttentionWgsl,
} from './flash-attention/flash-attention.js';
export type { AllocatedBuffer, MemoryReport } from './gpu/buffer-ledger.js';
export type { KernelDtype } from './gpu/compile.js';
export { fromHalfBits, toHalfBits } from './gpu/f16.js';
export { createMatmul, MATMUL_TILE, type MatmulOptions, type MatmulRunner, matmulWgsl } from './matmul/matmul.js';
export {
  createNaiveAttention,
  NAIVE_ATTENTION_WORKGROUP_SIZE,
  naiveAttentionWgsl,
} from './naive-attention/naive-attention.js';
export { type DeviceProbe, describeAdapter, type ProbeOptions, probeDevice } from './probe/probe-device.js';
export {
  decodeTokensPerSecondFromProbe,
  type ProbeThroughputOptions,
  prefillTokensPerSecondFromProbe,
} from './probe/throughput-from-probe.js';
export { type ReferenceAttentionShape, referenceAttention } from './reference/attention.js';
