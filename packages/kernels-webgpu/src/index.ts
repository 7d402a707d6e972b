/// <reference types="@webgpu/types" />
export type { AttentionOptions, AttentionRunner, AttentionTensor, ResolvedAttentionOptions } from './attention-runner.js';
export { GpuAllocationError, GpuKernelError } from './errors.js';
export type { AllocatedBuffer, MemoryReport } from './gpu/buffer-ledger.js';
export type { KernelDtype } from './gpu/compile.js';
export { fromHalfBits, toHalfBits } from './gpu/f16.js';
export { createNaiveAttention, NAIVE_ATTENTION_WORKGROUP_SIZE, naiveAttentionWgsl } from './naive-attention/naive-attention.js';
export { type ReferenceAttentionShape, referenceAttention } from './reference/attention.js';
export { createFlashAttention, FLASH_ATTENTION_BLOCK_Q, flashAttentionBlockK, flashAttentionWgsl } from './flash-attention/flash-attention.js';
