import type {
  Architecture,
  AttentionSpec,
  LayerSpec,
  MambaMixerSpec,
  MlpSpec,
  SoftmaxAttentionSpec,
} from './architecture.js';
import type { Tensor, TensorRole } from './tensor.js';

/** Module-path prefixes per checkpoint naming style. */
interface Naming {
  embed: string;
  /** Where the embedding norm lies, for namings whose families have one (BLOOM's `word_embeddings_layernorm`). */
  embedNorm?: string;
  positions: string;
  layer: (i: number) => string;
  attn: string;
  mlp: string;
  finalNorm: string;
  output: string;
}

const NAMINGS: Record<NonNullable<Architecture['naming']>, Naming> = {
  llama: {
    embed: 'model.embed_tokens',
    positions: 'model.embed_positions',
    layer: (i) => `model.layers.${i}`,
    attn: 'self_attn',
    mlp: 'mlp',
    finalNorm: 'model.norm',
    output: 'lm_head',
  },
  gpt2: {
    embed: 'transformer.wte',
    positions: 'transformer.wpe',
    layer: (i) => `transformer.h.${i}`,
    attn: 'attn',
    mlp: 'mlp',
    finalNorm: 'transformer.ln_f',
    output: 'lm_head',
  },
  neox: {
    embed: 'gpt_neox.embed_in',
    positions: 'gpt_neox.embed_positions',
    layer: (i) => `gpt_neox.layers.${i}`,
    attn: 'attention',
    mlp: 'mlp',
    finalNorm: 'gpt_neox.final_layer_norm',
    output: 'embed_out',
  },
  // BLOOM (modeling_bloom.py BloomModel) shares Falcon's module paths and adds the embedding norm.
  falcon: {
    embed: 'transformer.word_embeddings',
    embedNorm: 'transformer.word_embeddings_layernorm',
    positions: 'transformer.position_embeddings',
    layer: (i) => `transformer.h.${i}`,
    attn: 'self_attention',
    mlp: 'mlp',
    finalNorm: 'transformer.ln_f',
    output: 'lm_head',
  },
  mamba: {
    embed: 'backbone.embeddings',
    positions: 'backbone.positions',
    layer: (i) => `backbone.layers.${i}`,
    attn: 'mixer',
    mlp: 'mlp',
    finalNorm: 'backbone.norm_f',
    output: 'lm_head',
  },
};

/**
 * The tensor inventory a checkpoint of this architecture holds, synthesized from hyper-parameters.
 * Order follows the checkpoint (embeddings, layers, final norm, output). MTP layers are included,
 * flagged `mtp: true`, so the checkpoint total and the runtime total can both be read off.
 * @param arch a normalized architecture
 * @param options `converterTensors`: also the tensors llama.cpp's converter adds that the checkpoint
 *   lacks (`rope_freqs.weight` for llama3 RoPE scaling), first as the converter writes them
 * @returns every tensor with its shape; MoE experts as one 3-D tensor per projection per layer
 */
export function synthesizeTensors(arch: Architecture, options: { converterTensors?: boolean } = {}): Tensor[] {
  const naming = NAMINGS[arch.naming ?? 'llama'];
  const h = arch.hiddenSize;
  const out: Tensor[] = [];
  // convert_hf_to_gguf.py LlamaModel.generate_extra_tensors: head_dim / 2 f32 factors, yielded before the model's tensors.
  const first = arch.layers[0]?.attention;
  if (options.converterTensors && arch.ropeScaling === 'llama3' && first && 'headDim' in first)
    out.push({ name: 'rope_freqs.weight', role: 'other', kind: 'vector', shape: [first.headDim / 2], dtype: 'F32' });
  out.push({
    name: `${naming.embed}.weight`,
    role: 'token_embd',
    kind: 'weight',
    shape: [arch.vocabSize, h],
    module: naming.embed.split('.').pop(),
  });
  if (arch.learnedPositions > 0) {
    out.push({
      name: `${naming.positions}.weight`,
      role: 'position_embd',
      kind: 'weight',
      shape: [arch.learnedPositions, h],
      module: naming.positions.split('.').pop(),
    });
  }
  if (arch.embeddingNorm)
    pushNorm(out, arch, naming.embedNorm ?? `${naming.embed}_norm`, 'token_embd_norm', undefined, h, false);
  arch.layers.forEach((layer, i) => {
    pushLayer(out, arch, naming, layer, i, naming.layer(i), false);
  });
  if (arch.finalNorm) pushNorm(out, arch, naming.finalNorm, 'output_norm', undefined, h, false);
  if (!arch.tiedEmbeddings) {
    out.push({
      name: `${naming.output}.weight`,
      role: 'output',
      kind: 'weight',
      shape: [arch.vocabSize, h],
      module: naming.output,
    });
  }
  if (arch.outputBias)
    out.push({
      name: `${naming.output}.bias`,
      role: 'output',
      kind: 'bias',
      shape: [arch.vocabSize],
      module: naming.output,
    });
  const template = arch.layers[arch.layers.length - 1];
  for (let m = 0; m < arch.mtpLayers && template; m++) {
    const i = arch.layers.length + m;
    const prefix = naming.layer(i);
    // DeepSeek-V3 MTP module (README_WEIGHTS.md): embedding and head copies, enorm/hnorm, eh_proj, one decoder layer.
    out.push({
      name: `${prefix}.embed_tokens.weight`,
      role: 'token_embd',
      kind: 'weight',
      layer: i,
      shape: [arch.vocabSize, h],
      mtp: true,
    });
    pushNorm(out, arch, `${prefix}.enorm`, 'nextn_norm', i, h, true);
    pushNorm(out, arch, `${prefix}.hnorm`, 'nextn_norm', i, h, true);
    out.push({
      name: `${prefix}.eh_proj.weight`,
      role: 'nextn_eh_proj',
      kind: 'weight',
      layer: i,
      shape: [h, 2 * h],
      module: 'eh_proj',
      mtp: true,
    });
    pushLayer(out, arch, naming, template, i, prefix, true);
    pushNorm(out, arch, `${prefix}.shared_head.norm`, 'nextn_norm', i, h, true);
    out.push({
      name: `${prefix}.shared_head.head.weight`,
      role: 'output',
      kind: 'weight',
      layer: i,
      shape: [arch.vocabSize, h],
      mtp: true,
    });
  }
  return out;
}

function pushNorm(
  out: Tensor[],
  arch: Architecture,
  name: string,
  role: TensorRole,
  layer: number | undefined,
  size: number,
  mtp: boolean,
): void {
  const base = {
    role,
    kind: 'norm' as const,
    shape: [size],
    ...(layer === undefined ? {} : { layer }),
    ...(mtp ? { mtp } : {}),
  };
  out.push({ name: `${name}.weight`, ...base });
  if (arch.norm === 'layernorm') out.push({ name: `${name}.bias`, ...base });
}

function linear(
  out: Tensor[],
  prefix: string,
  module: string,
  role: TensorRole,
  layer: number,
  outFeatures: number,
  inFeaturesCount: number,
  bias: boolean,
  mtp: boolean,
): void {
  const flags = mtp ? { mtp } : {};
  out.push({
    name: `${prefix}.${module}.weight`,
    role,
    kind: 'weight',
    layer,
    shape: [outFeatures, inFeaturesCount],
    module,
    ...flags,
  });
  if (bias)
    out.push({ name: `${prefix}.${module}.bias`, role, kind: 'bias', layer, shape: [outFeatures], module, ...flags });
}

function normRole(name: string, norms: readonly string[]): TensorRole {
  switch (name) {
    case 'input_layernorm':
    case 'ln_1':
    case 'ln_attn':
    case 'norm':
      return 'attn_norm';
    case 'pre_feedforward_layernorm':
    case 'ln_2':
    case 'ln_mlp':
      return 'ffn_norm';
    case 'post_feedforward_layernorm':
      return 'post_ffw_norm';
    case 'post_attention_layernorm':
      // Gemma 2/3 and OLMo 2 normalize the attention output; Llama normalizes the MLP input.
      return norms.includes('pre_feedforward_layernorm') || !norms.includes('input_layernorm')
        ? 'post_attention_norm'
        : 'ffn_norm';
    default:
      return 'other';
  }
}

function pushLayer(
  out: Tensor[],
  arch: Architecture,
  naming: Naming,
  layer: LayerSpec,
  i: number,
  prefix: string,
  mtp: boolean,
): void {
  for (const n of layer.norms) pushNorm(out, arch, `${prefix}.${n}`, normRole(n, layer.norms), i, arch.hiddenSize, mtp);
  pushMixer(out, arch, `${prefix}.${naming.attn}`, layer.attention, i, mtp);
  pushMlp(out, arch, `${prefix}.${naming.mlp}`, layer.mlp, i, mtp);
}

function pushMixer(out: Tensor[], arch: Architecture, prefix: string, a: AttentionSpec, i: number, mtp: boolean): void {
  const h = arch.hiddenSize;
  const flags = mtp ? { mtp } : {};
  if (a.kind === 'linear') {
    // Gated DeltaNet (transformers Qwen3NextGatedDeltaNet): fused q,k,v,z and b,a projections, depthwise conv.
    const keyDim = a.numKeyHeads * a.keyHeadDim;
    const valueDim = a.numValueHeads * a.valueHeadDim;
    const convDim = 2 * keyDim + valueDim;
    linear(out, prefix, 'in_proj_qkvz', 'ssm_in', i, 2 * keyDim + 2 * valueDim, h, false, mtp);
    linear(out, prefix, 'in_proj_ba', 'ssm_ba', i, 2 * a.numValueHeads, h, false, mtp);
    out.push({
      name: `${prefix}.conv1d.weight`,
      role: 'ssm_conv1d',
      kind: 'weight',
      layer: i,
      shape: [convDim, 1, a.convKernel],
      ...flags,
    });
    out.push({
      name: `${prefix}.dt_bias`,
      role: 'ssm_dt',
      kind: 'vector',
      layer: i,
      shape: [a.numValueHeads],
      ...flags,
    });
    out.push({ name: `${prefix}.A_log`, role: 'ssm_a', kind: 'vector', layer: i, shape: [a.numValueHeads], ...flags });
    out.push({
      name: `${prefix}.norm.weight`,
      role: 'ssm_norm',
      kind: 'norm',
      layer: i,
      shape: [a.valueHeadDim],
      ...flags,
    });
    linear(out, prefix, 'out_proj', 'ssm_out', i, h, valueDim, false, mtp);
    return;
  }
  if (a.kind === 'mamba') {
    pushMamba(out, prefix, a, h, i, mtp);
    return;
  }
  pushSoftmaxAttention(out, prefix, a, h, i, mtp);
}

function pushMamba(out: Tensor[], prefix: string, a: MambaMixerSpec, h: number, i: number, mtp: boolean): void {
  const flags = mtp ? { mtp } : {};
  // transformers MambaMixer: in_proj → (x, z), depthwise conv, x_proj → (dt, B, C), dt_proj, A_log, D, out_proj.
  linear(out, prefix, 'in_proj', 'ssm_in', i, 2 * a.intermediateSize, h, a.bias, mtp);
  out.push({
    name: `${prefix}.conv1d.weight`,
    role: 'ssm_conv1d',
    kind: 'weight',
    layer: i,
    shape: [a.intermediateSize, 1, a.convKernel],
    ...flags,
  });
  if (a.convBias)
    out.push({
      name: `${prefix}.conv1d.bias`,
      role: 'ssm_conv1d',
      kind: 'bias',
      layer: i,
      shape: [a.intermediateSize],
      ...flags,
    });
  linear(out, prefix, 'x_proj', 'ssm_x', i, a.dtRank + 2 * a.stateSize, a.intermediateSize, false, mtp);
  linear(out, prefix, 'dt_proj', 'ssm_dt', i, a.intermediateSize, a.dtRank, true, mtp);
  out.push({
    name: `${prefix}.A_log`,
    role: 'ssm_a',
    kind: 'vector',
    layer: i,
    shape: [a.intermediateSize, a.stateSize],
    ...flags,
  });
  out.push({ name: `${prefix}.D`, role: 'ssm_d', kind: 'vector', layer: i, shape: [a.intermediateSize], ...flags });
  linear(out, prefix, 'out_proj', 'ssm_out', i, h, a.intermediateSize, a.bias, mtp);
}

function pushSoftmaxAttention(
  out: Tensor[],
  prefix: string,
  a: SoftmaxAttentionSpec,
  h: number,
  i: number,
  mtp: boolean,
): void {
  const flags = mtp ? { mtp } : {};
  if (a.mla) {
    const m = a.mla;
    const qHead = m.qkNopeHeadDim + m.qkRopeHeadDim;
    if (m.qLoraRank > 0) {
      linear(out, prefix, 'q_a_proj', 'attn_q_a', i, m.qLoraRank, h, false, mtp);
      out.push({
        name: `${prefix}.q_a_layernorm.weight`,
        role: 'attn_q_a_norm',
        kind: 'norm',
        layer: i,
        shape: [m.qLoraRank],
        ...flags,
      });
      linear(out, prefix, 'q_b_proj', 'attn_q_b', i, a.numHeads * qHead, m.qLoraRank, false, mtp);
    } else {
      linear(out, prefix, 'q_proj', 'attn_q', i, a.numHeads * qHead, h, false, mtp);
    }
    linear(out, prefix, 'kv_a_proj_with_mqa', 'attn_kv_a_mqa', i, m.kvLoraRank + m.qkRopeHeadDim, h, false, mtp);
    out.push({
      name: `${prefix}.kv_a_layernorm.weight`,
      role: 'attn_kv_a_norm',
      kind: 'norm',
      layer: i,
      shape: [m.kvLoraRank],
      ...flags,
    });
    linear(
      out,
      prefix,
      'kv_b_proj',
      'attn_kv_b',
      i,
      a.numHeads * (m.qkNopeHeadDim + m.vHeadDim),
      m.kvLoraRank,
      false,
      mtp,
    );
    linear(out, prefix, 'o_proj', 'attn_output', i, h, a.numHeads * m.vHeadDim, a.outBias, mtp);
    return;
  }
  const qOut = a.numHeads * a.headDim * (a.gatedOutput ? 2 : 1);
  const kOut = a.numKvHeads * a.headDim;
  const vOut = a.numKvHeads * a.vHeadDim;
  if (a.fusedQkv) {
    linear(out, prefix, a.fusedQkv, 'attn_qkv', i, qOut + kOut + vOut, h, a.qkvBias, mtp);
  } else {
    linear(out, prefix, 'q_proj', 'attn_q', i, qOut, h, a.qkvBias, mtp);
    linear(out, prefix, 'k_proj', 'attn_k', i, kOut, h, a.qkvBias, mtp);
    linear(out, prefix, 'v_proj', 'attn_v', i, vOut, h, a.qkvBias, mtp);
  }
  const oName = a.fusedQkv === 'c_attn' ? 'c_proj' : a.fusedQkv === 'query_key_value' ? 'dense' : 'o_proj';
  linear(out, prefix, oName, 'attn_output', i, h, a.numHeads * a.vHeadDim, a.outBias, mtp);
  if (a.qkNorm === 'per-head') {
    out.push({
      name: `${prefix}.q_norm.weight`,
      role: 'attn_q_norm',
      kind: 'norm',
      layer: i,
      shape: [a.headDim],
      ...flags,
    });
    out.push({
      name: `${prefix}.k_norm.weight`,
      role: 'attn_k_norm',
      kind: 'norm',
      layer: i,
      shape: [a.headDim],
      ...flags,
    });
  } else if (a.qkNorm === 'full') {
    out.push({
      name: `${prefix}.q_norm.weight`,
      role: 'attn_q_norm',
      kind: 'norm',
      layer: i,
      shape: [a.numHeads * a.headDim],
      ...flags,
    });
    out.push({
      name: `${prefix}.k_norm.weight`,
      role: 'attn_k_norm',
      kind: 'norm',
      layer: i,
      shape: [a.numKvHeads * a.headDim],
      ...flags,
    });
  }
  if (a.sinks)
    out.push({ name: `${prefix}.sinks`, role: 'attn_sinks', kind: 'vector', layer: i, shape: [a.numHeads], ...flags });
}

function pushMlp(out: Tensor[], arch: Architecture, prefix: string, mlp: MlpSpec, i: number, mtp: boolean): void {
  const h = arch.hiddenSize;
  const flags = mtp ? { mtp } : {};
  if (mlp.kind === 'dense') {
    pushDense(out, prefix, mlp.naming ?? 'llama', mlp.gated, mlp.intermediateSize, h, mlp.bias, i, mtp);
    return;
  }
  const e = mlp.numExperts;
  const f = mlp.expertIntermediateSize;
  linear(out, prefix, 'gate', 'ffn_gate_inp', i, e, h, mlp.routerBias, mtp);
  if (mlp.routerCorrectionBias) {
    out.push({
      name: `${prefix}.gate.e_score_correction_bias`,
      role: 'ffn_exp_probs_b',
      kind: 'vector',
      layer: i,
      shape: [e],
      ...flags,
    });
  }
  const experts = `${prefix}.experts`;
  const expert = (proj: string, role: TensorRole, o: number, inF: number): void => {
    out.push({
      name: `${experts}.${proj}`,
      role,
      kind: 'weight',
      layer: i,
      shape: [e, o, inF],
      module: proj,
      ...flags,
    });
    if (mlp.expertBias)
      out.push({
        name: `${experts}.${proj}_bias`,
        role,
        kind: 'bias',
        layer: i,
        shape: [e, o],
        module: proj,
        ...flags,
      });
  };
  if (mlp.gated && mlp.expertBias) {
    // gpt-oss stores gate and up interleaved in one gate_up_proj tensor with its bias.
    expert('gate_up_proj', 'ffn_gate_up_exps', 2 * f, h);
  } else if (mlp.gated) {
    expert('gate_proj', 'ffn_gate_exps', f, h);
    expert('up_proj', 'ffn_up_exps', f, h);
  } else {
    expert('up_proj', 'ffn_up_exps', f, h);
  }
  expert('down_proj', 'ffn_down_exps', h, f);
  if (mlp.shared) {
    const sp = `${prefix}.shared_experts`;
    linear(out, sp, 'gate_proj', 'ffn_gate_shexp', i, mlp.shared.intermediateSize, h, false, mtp);
    linear(out, sp, 'up_proj', 'ffn_up_shexp', i, mlp.shared.intermediateSize, h, false, mtp);
    linear(out, sp, 'down_proj', 'ffn_down_shexp', i, h, mlp.shared.intermediateSize, false, mtp);
    if (mlp.shared.gate) linear(out, prefix, 'shared_expert_gate', 'ffn_gate_inp_shexp', i, 1, h, false, mtp);
  }
}

function pushDense(
  out: Tensor[],
  prefix: string,
  naming: 'llama' | 'fused_gate_up' | 'gpt2' | 'neox',
  gated: boolean,
  f: number,
  h: number,
  bias: boolean,
  i: number,
  mtp: boolean,
): void {
  // A zero-width MLP is how a layer without one (Mamba) is described: it has no tensors.
  if (f === 0) return;
  if (naming === 'gpt2') {
    linear(out, prefix, 'c_fc', 'ffn_up', i, f, h, bias, mtp);
    linear(out, prefix, 'c_proj', 'ffn_down', i, h, f, bias, mtp);
    return;
  }
  if (naming === 'neox') {
    linear(out, prefix, 'dense_h_to_4h', 'ffn_up', i, f, h, bias, mtp);
    linear(out, prefix, 'dense_4h_to_h', 'ffn_down', i, h, f, bias, mtp);
    return;
  }
  if (gated && naming === 'fused_gate_up') {
    linear(out, prefix, 'gate_up_proj', 'ffn_gate_up', i, 2 * f, h, bias, mtp);
  } else if (gated) {
    linear(out, prefix, 'gate_proj', 'ffn_gate', i, f, h, bias, mtp);
    linear(out, prefix, 'up_proj', 'ffn_up', i, f, h, bias, mtp);
  } else {
    linear(out, prefix, 'up_proj', 'ffn_up', i, f, h, bias, mtp);
  }
  linear(out, prefix, 'down_proj', 'ffn_down', i, h, f, bias, mtp);
}
