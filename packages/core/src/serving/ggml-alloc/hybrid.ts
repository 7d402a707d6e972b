/**
 * The reserve graph of llama.cpp's hybrid `qwen3next` (src/models/qwen3next.cpp): Gated DeltaNet layers
 * over the recurrent state (conv state R and delta-net state S, src/llama-memory-recurrent.cpp) and gated
 * full-attention layers over a KV cache, each followed by experts and a sigmoid-gated shared expert.
 */
import type { LinearAttentionSpec, MlpSpec } from '../../model/architecture.js';
import { type GgmlTensor, rowBytes } from './graph.js';
import { type ArchGraphBuilder, type AttnInput, type AttnShape, LlmGraph } from './llm-graph.js';
import { attnShape, softmaxAttention } from './dense.js';
import { attnInpKvOf, buildMoeFfn, swiGluFfn } from './moe.js';

/** llm_graph_input_rs (build_rs_inp_impl): the state-copy indices and their views for the ubatch's sequences. */
interface RsInput {
  main: GgmlTensor;
  extra: GgmlTensor;
  /** Rows of the recurrent cache the reserve graph reads (n_rs = its size for init_full). */
  nRs: number;
}

function rsInput(lg: LlmGraph, nRs: number): RsInput {
  const g = lg.g;
  const nSeqs = lg.p.nSeqs;
  const sCopy = g.input('inp_s_copy', 'I32', [nRs]);
  return {
    main: g.view(sCopy, [nSeqs], [], 0, 'inp_s_copy_main'),
    extra: g.view(sCopy, [nRs - nSeqs], [], nSeqs * sCopy.nb[0], 'inp_s_copy_extra'),
    nRs,
  };
}

/**
 * build_rs (src/llama-graph.cpp) for the reserve graph (head 0, rs_z 0): the zeroed state scaled in place,
 * the ubatch's states gathered by get_rows (the compute buffer's copy), the extra states copied back.
 */
function buildRs(lg: LlmGraph, inp: RsInput, s: GgmlTensor, stateSize: number): GgmlTensor {
  const g = lg.g;
  const nSeqs = lg.p.nSeqs;
  const states = g.reshape(s, [stateSize, s.ne[1]]);
  const zero = g.view(states, [stateSize], [], 0);
  g.expand(g.op('SCALE', 'state_zero', zero.type, zero.ne, [zero], zero));
  const out = g.expand(g.getRows(states, inp.main));
  const extra = g.getRows(states, inp.extra);
  g.expand(g.cpy(extra, g.view(s, [stateSize, inp.nRs - nSeqs], [s.nb[1]], nSeqs * s.nb[1])));
  return out;
}

/** The Gated DeltaNet sizes as llama.cpp's hparams hold them (ssm_d_state, ssm_n_group, ssm_dt_rank, …). */
function deltaNetDims(a: LinearAttentionSpec) {
  const hk = a.keyHeadDim;
  const nk = a.numKeyHeads;
  const nv = a.numValueHeads;
  const hv = a.valueHeadDim;
  const dInner = nv * hv;
  const convChannels = dInner + 2 * nk * hk;
  return {
    hk,
    nk,
    nv,
    hv,
    dInner,
    convChannels,
    kernel: a.convKernel,
    // llama_hparams::n_embd_r (conv state) and n_embd_s (delta-net state: head_v² per value head).
    nEmbdR: (a.convKernel - 1) * convChannels,
    nEmbdS: hv * hv * nv,
  };
}

/**
 * build_layer_attn_linear (legacy ssm_in path): the fused qkvz projection split by views, q/k/v made
 * contiguous and concatenated, z copied; beta (sigmoid) and the decay gate (softplus × A) from ssm_ba;
 * the conv state gathered (build_rs) and concatenated before the new columns, its last columns stored
 * back; ssm_conv + SiLU, q/k L2-normed and repeated to the value heads; the fused GATED_DELTA_NET op
 * (CPU resolves fused_gdn_ch on: llama-context.cpp resolve_fused_ops), its new state stored; RMSNorm
 * gated by SiLU(z); ssm_out.
 */
function buildLinear(lg: LlmGraph, inp: RsInput, cur: GgmlTensor, a: LinearAttentionSpec, il: number): GgmlTensor {
  const g = lg.g;
  const d = deltaNetDims(a);
  const ns = lg.p.nSeqs;
  const nst = lg.nTokens / ns;
  const n = lg.nEmbd;
  const w = lg.layerWeights(il);
  const f32 = (k: number) => rowBytes('F32', k);
  // build_qkvz
  const perGroup = d.hv * (d.nv / d.nk);
  const qkvzWidth = 2 * d.hk + 2 * perGroup;
  const mixed = lg.mm(w('ssm_in.weight', [n, qkvzWidth * d.nk]), cur, 'linear_attn_mixed_qkvz', il);
  const r = g.reshape(mixed, [qkvzWidth, d.nk, nst, ns]);
  const split = (width: number, offset: number, name: string) =>
    lg.cb(g.view(r, [width, d.nk, nst, ns], [r.nb[1], r.nb[2], r.nb[3]], f32(offset)), name, il);
  const query = split(d.hk, 0, 'q');
  const key = split(d.hk, d.hk, 'k');
  const value = split(perGroup, 2 * d.hk, 'v');
  const z = lg.cb(g.cont(split(perGroup, 2 * d.hk + perGroup, 'z')), 'z', il);
  const qFlat = lg.cb(g.cont(query, [d.hk * d.nk, nst, ns]), 'query_flat', il);
  const kFlat = lg.cb(g.cont(key, [d.hk * d.nk, nst, ns]), 'key_flat', il);
  const vFlat = lg.cb(g.cont(value, [d.hv * d.nv, nst, ns]), 'value_flat', il);
  const qkvMixed = lg.cb(g.concat(g.concat(qFlat, kFlat, 0), vFlat, 0), 'qkv_mixed', il);
  // beta and the decay gate
  const mixedBa = lg.mm(w('ssm_ba.weight', [n, 2 * d.nv]), cur, 'linear_attn_mixed_ba', il);
  const ba = g.reshape(mixedBa, [(2 * d.nv) / d.nk, d.nk, nst, ns]);
  const half = d.nv / d.nk;
  const b = lg.cb(g.view(ba, [half, d.nk, nst, ns], [ba.nb[1], ba.nb[2], ba.nb[3]], 0), 'b', il);
  const aView = lg.cb(g.view(ba, [half, d.nk, nst, ns], [ba.nb[1], ba.nb[2], ba.nb[3]], f32(half)), 'a', il);
  let beta = g.unary(g.cont(b), 'beta');
  const alpha = g.cont(aView, [d.nv, nst, ns]);
  const softplus = lg.cb(g.unary(g.add(alpha, w('ssm_dt.bias', [d.nv]))), 'a_softplus', il);
  let gate = lg.cb(g.mul(softplus, w('ssm_a', [d.nv])), 'gate', il);
  beta = g.reshape(beta, [1, d.nv, nst, ns]);
  gate = g.reshape(gate, [1, d.nv, nst, ns]);
  // the recurrent cache rows of this layer (cache_r_l / cache_s_l: [n_embd_r|s, mem_size])
  const rL = g.weight(`cache_r_l${il}`, 'F32', [d.nEmbdR, inp.nRs]);
  const sL = g.weight(`cache_s_l${il}`, 'F32', [d.nEmbdS, inp.nRs]);
  // build_conv_state (n_rs_seq = 0)
  let convStates = lg.cb(buildRs(lg, inp, rL, d.nEmbdR), 'conv_states', il);
  convStates = g.reshape(convStates, [d.kernel - 1, d.convChannels, ns]);
  const convInput = lg.cb(g.concat(convStates, g.transpose(qkvMixed), 0), 'conv_input', il);
  const last = g.view(convInput, [d.kernel - 1, d.convChannels, ns], [convInput.nb[1], convInput.nb[2]], f32(nst));
  g.expand(g.cpy(last, g.view(rL, [d.nEmbdR, ns], [rL.nb[1]], 0)));
  let state = lg.cb(buildRs(lg, inp, sL, d.nEmbdS), 'state_predelta', il);
  state = g.reshape(state, [d.hv, d.hv, d.nv, ns]);
  const convOut = lg.cb(
    g.op(
      'SSM_CONV',
      'ssm_conv',
      'F32',
      [d.convChannels, convInput.ne[0] - d.kernel + 1, ns],
      [convInput, w('ssm_conv1d.weight', [d.kernel, d.convChannels])],
    ),
    'conv_output_raw',
    il,
  );
  const silu = lg.cb(g.unary(convOut), 'conv_output_silu', il);
  const rowQkv = f32(2 * d.hk * d.nk + d.hv * d.nv);
  const convView = (h: number, heads: number, offset: number) =>
    g.view(silu, [h, heads, nst, ns], [f32(h), rowQkv, rowQkv * nst], offset);
  let q = g.unaryLike('L2_NORM', convView(d.hk, d.nk, 0));
  let k = g.unaryLike('L2_NORM', convView(d.hk, d.nk, f32(d.hk * d.nk)));
  const v = convView(d.hv, d.nv, f32(2 * d.hk * d.nk));
  if (d.nk !== d.nv) {
    const rf = d.nv / d.nk;
    const rep = (t: GgmlTensor) =>
      g.reshape(
        g.op('REPEAT', 'repeat', t.type, [d.hk, rf, d.nk, nst * ns], [g.reshape(t, [d.hk, 1, d.nk, nst * ns])]),
        [d.hk, d.nk * rf, nst, ns],
      );
    q = rep(q);
    k = rep(k);
  }
  // build_delta_net_fused: output rows, then the new state, in one f32 tensor.
  const result = g.op(
    'GATED_DELTA_NET',
    'gated_delta_net',
    'F32',
    [d.hv * d.nv, nst * ns + d.hv * ns],
    [q, k, v, gate, beta, state],
  );
  const output = lg.cb(
    g.view(result, [d.hv, d.nv, nst, ns], [f32(d.hv), f32(d.hv * d.nv), f32(d.hv * d.nv * nst)], 0),
    'attn_output',
    il,
  );
  const newState = lg.cb(
    g.view(
      result,
      [d.hv, d.hv, d.nv, ns],
      [f32(d.hv), f32(d.hv * d.hv), f32(d.hv * d.hv * d.nv)],
      f32(d.hv * d.nv * nst * ns),
    ),
    'new_state',
    il,
  );
  g.expand(g.cpy(newState, g.view(sL, [d.nEmbdS, ns], [sL.nb[1]], 0)));
  // build_norm_gated
  const normed = lg.buildNorm(output, w('ssm_norm.weight', [d.hv]), undefined, 'rms', 'norm', il);
  const gated = g.mul(normed, g.unary(g.reshape(z, [d.hv, d.nv, nst, ns])));
  const final = lg.cb(g.reshape(gated, [d.hv * d.nv, nst, ns]), 'final_output', il);
  const out = lg.mm(w('ssm_out.weight', [d.dInner, n]), final, 'linear_attn_out', il);
  return g.reshape(out, [n, nst * ns]);
}

/**
 * build_layer_attn: one Q projection carrying query and output gate (split by views), K and V, per-head
 * RMSNorm of Q and K, RoPE, attention without wo, then the gate (cont, sigmoid) multiplied in and wo.
 */
function buildGatedAttn(
  lg: LlmGraph,
  inp: AttnInput,
  cur: GgmlTensor,
  pos: GgmlTensor,
  il: number,
  s: AttnShape,
): GgmlTensor {
  const g = lg.g;
  const n = lg.nEmbd;
  const nTok = lg.nTokens;
  const hd = s.headK;
  const w = lg.layerWeights(il);
  let qFull = lg.mm(w('attn_q.weight', [n, 2 * hd * s.nHead]), cur, 'Qcur_full', il);
  qFull = g.reshape(qFull, [2 * hd, s.nHead, nTok, 1]);
  const half = (offset: number, name: string) =>
    lg.cb(g.view(qFull, [hd, s.nHead, nTok, 1], [qFull.nb[1], qFull.nb[2], qFull.nb[3]], offset), name, il);
  let q = half(0, 'Qcur_view');
  let gate = half(rowBytes(qFull.type, hd), 'gate');
  let k = lg.mm(w('attn_k.weight', [n, hd * s.nHeadKv]), cur, 'Kcur', il);
  let v = lg.mm(w('attn_v.weight', [n, s.headV * s.nHeadKv]), cur, 'Vcur', il);
  k = g.reshape(k, [hd, s.nHeadKv, nTok]);
  v = g.reshape(v, [s.headV, s.nHeadKv, nTok]);
  q = lg.buildNorm(q, w('attn_q_norm.weight', [hd]), undefined, 'rms', 'Qcur_normed', il);
  k = lg.buildNorm(k, w('attn_k_norm.weight', [hd]), undefined, 'rms', 'Kcur_normed', il);
  q = lg.cb(g.rope(q, pos), 'Qcur', il);
  k = lg.cb(g.rope(k, pos), 'Kcur', il);
  let out = lg.buildAttn(inp, lg.layerCache(il, s, inp.nKv), s, undefined, undefined, q, k, v, {}, il);
  gate = lg.cb(g.unary(g.cont(gate, [hd * s.nHead, nTok])), 'gate_sigmoid', il);
  out = lg.cb(g.mul(out, gate), 'attn_gated', il);
  return lg.mm(w('attn_output.weight', [s.headV * s.nHead, n]), out, 'attn_output', il);
}

/**
 * build_layer_ffn: experts (softmax, renormalized) plus the shared expert scaled by
 * sigmoid(ffn_gate_inp_shexp · x); a dense layer takes build_ffn (SiLU, parallel gate).
 */
function buildFfn(lg: LlmGraph, cur: GgmlTensor, il: number, m: MlpSpec): GgmlTensor {
  const g = lg.g;
  if (m.kind === 'dense') return swiGluFfn(lg, cur, il, m.intermediateSize);
  const moe = buildMoeFfn(lg, cur, m, { op: 'silu', normW: true, gating: 'softmax' }, il);
  if (!m.shared) return moe;
  let shexp = lg.cb(swiGluFfn(lg, cur, il, m.shared.intermediateSize, '_shexp'), 'ffn_shexp', il);
  if (m.shared.gate) {
    const sg = lg.mm(lg.weight(`blk.${il}.ffn_gate_inp_shexp.weight`, [lg.nEmbd]), cur, 'shared_expert_gate', il);
    shexp = lg.cb(g.mul(shexp, lg.cb(g.unary(sg), 'shared_expert_gate_sigmoid', il)), 'ffn_shexp_gated', il);
  }
  return lg.cb(g.add(moe, shexp), 'ffn_out', il);
}

/**
 * src/models/qwen3next.cpp: per layer RMSNorm (expanded at once), the delta-net or the gated attention,
 * residual, post-attention RMSNorm, the MoE block, residual. The final norm is t_h_nextn (an output),
 * the output rows are picked after it (t_embd), then the logits.
 */
const qwen3next: ArchGraphBuilder = (arch, p) => {
  const lg = new LlmGraph(p, arch.hiddenSize);
  const g = lg.g;
  const n = arch.hiddenSize;
  let inpL = lg.cb(lg.inpEmbd(lg.weight('token_embd.weight', [n, arch.vocabSize])), 'model.embed_tokens');
  // build_inp_mem_hybrid: the recurrent input (mem_size = n_seq_max rows, all read by the reserve graph)
  // and the attention input of the KV cache that the full-attention layers share.
  const rs = rsInput(lg, p.nSeqs);
  const attnIdx = arch.layers.flatMap((l, il) => (l.attention.kind === 'linear' ? [] : [il]));
  const attn = attnIdx.map((il) => softmaxAttention(arch, il));
  const inp = attn.length > 0 ? attnInpKvOf(lg, attn, p.nKv) : undefined;
  const pos = lg.inpPos();
  const outIds = lg.inpOutIds();
  for (let il = 0; il < arch.layers.length; il++) {
    const layer = arch.layers[il]!;
    const w = lg.layerWeights(il);
    const inpSA = inpL;
    let cur = lg.buildNorm(inpL, w('attn_norm.weight', [n]), undefined, 'rms', 'attn_norm', il);
    g.expand(cur);
    cur =
      layer.attention.kind === 'linear'
        ? buildLinear(lg, rs, cur, layer.attention, il)
        : buildGatedAttn(lg, inp!, cur, pos, il, attnShape(softmaxAttention(arch, il)));
    cur = lg.cb(g.add(cur, inpSA), 'attn_residual', il);
    const ffnResidual = cur;
    const post = lg.buildNorm(cur, w('post_attention_norm.weight', [n]), undefined, 'rms', 'attn_post_norm', il);
    cur = buildFfn(lg, post, il, layer.mlp);
    inpL = lg.cb(g.add(cur, ffnResidual), 'post_moe', il);
  }
  const hNextn = lg.buildNorm(inpL, lg.weight('output_norm.weight', [n]), undefined, 'rms', 'h_nextn');
  const embd = lg.cb(g.getRows(hNextn, outIds), 'result_norm');
  const logits = lg.mm(lg.weight('output.weight', [n, arch.vocabSize]), embd, 'result_output');
  g.setOutput(hNextn);
  g.setOutput(embd);
  g.setOutput(logits);
  g.expand(logits);
  return g.graph();
};

/** Hybrid recurrent/attention architectures by `general.architecture`. */
export const HYBRID_BUILDERS = { qwen3next } satisfies Record<string, ArchGraphBuilder>;
