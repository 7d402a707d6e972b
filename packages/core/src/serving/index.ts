// Serving and fitting: GPU catalogue, engine profiles (llama.cpp, vLLM, transformers), solvers, throughput.
export { type EngineFigures, estimateServing, planServing, type ServingEstimate } from './estimate-serving.js';
export { customGpu, GPUS, type GpuId, type GpuSpec, type GpuTflops, gpuCapacityBytes, lookupGpu } from './gpus.js';
export {
  type LlamaCppDevice,
  type LlamaCppEstimate,
  type LlamaCppOptions,
  llamaCppArchitecture,
  llamaCppMemory,
} from './llama-cpp.js';
export { NoSuchGpuError } from './no-such-gpu-error.js';
export {
  ENGINE_PROFILES,
  type EngineMethods,
  type EngineProfile,
  type EngineReport,
  defaultLaunchTarget,
  enginesLaunching,
  engineNamed,
  engineProfile,
  type FigureSolvers,
  type InventorySource,
  launchCommand,
  requireEngineFormat,
} from './engine-profiles.js';
export type { DraftRun, EngineBreakdown } from './engine-run.js';
export { LAUNCH_TARGETS, type LaunchInput, type LaunchTarget, shellWord } from './launch-lines.js';
export {
  DEFAULT_ACCEPTANCE_RATE,
  type DraftingRule,
  type ResolvedSpeculation,
  resolveSpeculation,
  SPECULATION_RULES,
  SPECULATIVE_ENGINE_SETTINGS,
  SPECULATIVE_METHODS,
  type SpeculationRules,
  type SpeculativeStep,
  speculativeStep,
  type SpeculativeFigures,
  type SpeculativeMethod,
  type SpeculativeServing,
} from './speculative.js';
export {
  type Binding,
  DEFAULT_FIT_MARGIN_BYTES,
  type EngineId,
  type EngineRun,
  type GpuBytes,
  runEngine,
  type ServingOptions,
} from './serving.js';
export {
  type FormatFit,
  type SolveResult,
  solveFormats,
  solveGpuLayers,
  solveMaxBatch,
  solveMaxContext,
} from './solvers.js';
export {
  DEFAULT_BANDWIDTH_EFFICIENCY,
  DEFAULT_COMPUTE_EFFICIENCY,
  decodeThroughput,
  draftModelBytes,
  prefillThroughput,
  type SpeculativeOptions,
  speculativeDecoding,
  type ThroughputEstimate,
  type ThroughputOptions,
} from './throughput.js';
export { type TransformersEstimate, type TransformersOptions, transformersMemory } from './transformers.js';
export { type VllmEstimate, type VllmOptions, vllmMemory } from './vllm.js';
