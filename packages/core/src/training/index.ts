// Training and fine-tuning memory (issue 5).
export {
  type AttentionDevice,
  deltaRuleSavedBytes,
  type SdpaBackend,
  sdpaBackend,
  type TrainableSet,
  type TrainingActivationOptions,
  type TrainingActivations,
  trainingActivationBytes,
} from './activations.js';
export {
  CHECKPOINTING_IDS,
  type CheckpointingId,
  DEFAULT_TRAINING_SEQ,
  estimateTraining,
  type OverheadBand,
  type ResolvedTrainingWorkload,
  type TrainingEstimate,
  type TrainingOptions,
  type TrainingWorkload,
  TrainingWorkloadSchema,
} from './estimate-training.js';
export {
  type AdaptedModule,
  type AdapterPlan,
  defaultExpertModules,
  type ExpertLayout,
  expertLayoutOf,
  fusedExpertParameters,
  type LoraOptions,
  type PrintedCountOptions,
  peftPrintedCounts,
  resolveAdapters,
} from './lora.js';
export {
  OPTIMIZER_IDS,
  OPTIMIZER_STEP,
  type OptimizerId,
  type OptimizerStepSpec,
  type OptimizerStateBytes,
  optimizerStateBytes,
  type TrainableTensor,
} from './optimizers.js';
export {
  DEEPSPEED_BUCKETS,
  dataParallelSize,
  type ParallelismOptions,
  type StateBytesPerParam,
  shardingOf,
  type ZeroTableOptions,
  zeroModelStateBytes,
} from './parallelism.js';
export { PRECISION_IDS, PRECISIONS, type PrecisionId, type PrecisionSpec } from './precision.js';
export {
  type FitMargin,
  maxMicroBatch,
  maxSequenceLength,
  minGpus,
  type PlannedSetup,
  type PlanOptions,
  planTraining,
  type SolverResult,
} from './solvers.js';
export { type TrainerConfigResult, type TrainerFramework, trainingFromTrainerConfig } from './trainer-config.js';
