import type { Architecture } from './architecture.js';
import { type Tensor, type TensorRole, tensorElements } from './tensor.js';

/** Categories a parameter count is broken into. */
export type ParameterCategory =
  | 'embedding'
  | 'positions'
  | 'attention'
  | 'mlp'
  | 'experts'
  | 'router'
  | 'sharedExperts'
  | 'norms'
  | 'finalNorm'
  | 'lmHead'
  | 'mtp';

/** An exact parameter count with its breakdown. */
export interface ParameterBreakdown {
  /** Parameters used at inference (MTP layers excluded). */
  total: number;
  /** Everything in the checkpoint, MTP layers included (what the Hub's safetensors total shows). */
  checkpointTotal: number;
  /** Parameters touched per token: routed experts count `topK / numExperts` of their weights. */
  active: number;
  /** Sum per category; `mtp` holds the checkpoint-only multi-token-prediction weights. */
  parts: Record<ParameterCategory, number>;
  /** Parameters of each decoder layer (index = layer), norms included. */
  perLayer: number[];
}

const CATEGORY: Partial<Record<TensorRole, ParameterCategory>> = {
  token_embd: 'embedding',
  position_embd: 'positions',
  output: 'lmHead',
  output_norm: 'finalNorm',
  attn_norm: 'norms',
  ffn_norm: 'norms',
  post_attention_norm: 'norms',
  post_ffw_norm: 'norms',
  ffn_gate: 'mlp',
  ffn_up: 'mlp',
  ffn_gate_up: 'mlp',
  ffn_down: 'mlp',
  ffn_gate_inp: 'router',
  ffn_exp_probs_b: 'router',
  ffn_gate_exps: 'experts',
  ffn_up_exps: 'experts',
  ffn_gate_up_exps: 'experts',
  ffn_down_exps: 'experts',
  ffn_gate_shexp: 'sharedExperts',
  ffn_up_shexp: 'sharedExperts',
  ffn_down_shexp: 'sharedExperts',
  ffn_gate_inp_shexp: 'sharedExperts',
};

/** The breakdown category of a tensor (attention projections, q/k norms and SSM mixers are `attention`). */
export function parameterCategory(tensor: Tensor): ParameterCategory {
  if (tensor.mtp) return 'mtp';
  return CATEGORY[tensor.role] ?? 'attention';
}

/**
 * Counts parameters exactly from a tensor inventory.
 * @param tensors the inventory (synthesized, or read from safetensors / GGUF headers)
 * @param arch the architecture, used for MoE routing (`topK / numExperts`) in the active count
 * @returns totals and a per-category and per-layer breakdown
 */
export function countParameters(tensors: readonly Tensor[], arch?: Architecture): ParameterBreakdown {
  const parts: Record<ParameterCategory, number> = {
    embedding: 0,
    positions: 0,
    attention: 0,
    mlp: 0,
    experts: 0,
    router: 0,
    sharedExperts: 0,
    norms: 0,
    finalNorm: 0,
    lmHead: 0,
    mtp: 0,
  };
  const perLayer: number[] = arch ? new Array<number>(arch.layers.length).fill(0) : [];
  let inactive = 0;
  for (const t of tensors) {
    const n = tensorElements(t);
    const cat = parameterCategory(t);
    parts[cat] += n;
    if (t.layer !== undefined && !t.mtp) perLayer[t.layer] = (perLayer[t.layer] ?? 0) + n;
    if (cat === 'experts' && arch && t.layer !== undefined) {
      const mlp = arch.layers[t.layer]?.mlp;
      if (mlp?.kind === 'moe') inactive += n - (n / mlp.numExperts) * mlp.topK;
    }
  }
  let total = 0;
  for (const key in parts) if (key !== 'mtp') total += parts[key as ParameterCategory];
  return { total, checkpointTotal: total + parts.mtp, active: Math.round(total - inactive), parts, perLayer };
}
