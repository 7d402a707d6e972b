/** Activation-checkpointing policies by framework (see TrainingWorkloadSchema.checkpointing). */
export const CHECKPOINTING_IDS = [
  'none',
  'full',
  'hf',
  'unsloth',
  'megatron-selective',
  'selective',
  'torchtitan-op',
] as const;
/** A checkpointing policy id. */
export type CheckpointingId = (typeof CHECKPOINTING_IDS)[number];

/** What a checkpointing policy keeps for backward, as the activation model counts it. */
export interface CheckpointingPolicy {
  /** The saved-tensor rule of `trainingActivationBytes`. */
  saves: 'none' | 'selective' | 'full' | 'op-level';
  /** The checkpointed block inputs live in host memory. */
  offloadsInputs: boolean;
  source: string;
}

/** Each policy id with what it saves and where it comes from (policy as data). */
export const CHECKPOINTING: Readonly<Record<CheckpointingId, CheckpointingPolicy>> = {
  none: { saves: 'none', offloadsInputs: false, source: 'no activation checkpointing: every saved tensor kept' },
  full: {
    saves: 'full',
    offloadsInputs: false,
    source: 'torchtitan/Megatron full recompute: each block input kept, the block recomputed in backward',
  },
  hf: {
    saves: 'full',
    offloadsInputs: false,
    source: 'transformers gradient_checkpointing_enable: torch.utils.checkpoint around each decoder layer',
  },
  unsloth: {
    saves: 'full',
    offloadsInputs: true,
    source: 'unsloth_zoo gradient_checkpointing.py (use_gradient_checkpointing="unsloth"): saved inputs moved to CPU',
  },
  'megatron-selective': {
    saves: 'selective',
    offloadsInputs: false,
    source: 'Korthikanti et al. 2022 §5; Megatron-LM --recompute-granularity selective (attention core recomputed)',
  },
  selective: {
    saves: 'selective',
    offloadsInputs: false,
    source: 'alias of megatron-selective',
  },
  'torchtitan-op': {
    saves: 'op-level',
    offloadsInputs: false,
    source: 'torchtitan activation_checkpoint mode "selective" option "op" (_save_list of SAC)',
  },
};
