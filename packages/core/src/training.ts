/**
 * `@vramkit/core/training`: memory to fine-tune or train a model (precision, optimizers, LoRA/QLoRA,
 * activations, sharding) and the plan solver. Everything here is also exported from `@vramkit/core`.
 */
export * from './training/index.js';
