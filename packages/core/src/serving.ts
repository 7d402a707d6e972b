/**
 * `@vramkit/core/serving`: engine profiles (llama.cpp, vLLM, transformers), the GPU catalogue,
 * fit solvers and throughput. Everything here is also exported from `@vramkit/core`.
 */
export * from './serving/index.js';
