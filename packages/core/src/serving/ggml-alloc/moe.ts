/**
 * llama.cpp's mixture-of-experts feed-forward block (src/llama-graph.cpp llm_graph_context::build_moe_ffn)
 * on {@link LlmGraph}, and the reserve graphs of the MoE architectures built on it: `qwen3moe`, `llama`
 * with experts (Mixtral), `gpt-oss` (iSWA with attention sinks) and `llama4` (chunked iSWA, shared expert).
 */
import type { Architecture, MoeMlpSpec, SoftmaxAttentionSpec } from '../../model/architecture.js';
import { attnShape, denseDecoder, LLAMA_SPEC, type MoeFfnHook, qkvWeights, softmaxAttention } from './dense.js';
import type { GgmlTensor } from './graph.js';
import { UnsupportedGraphError } from './unsupported.js';
import { type ArchGraphBuilder, type AttnInput, type FfnOp, LlmGraph } from './llm-graph.js';

/** llama_expert_gating_func_type as the MoE builders use it (src/llama-hparams.h). */
export type MoeGating = 'softmax' | 'sigmoid' | 'softmax_weight';

/** The arguments of build_moe_ffn that change the graph. */
export interface MoeFfnOptions {
  /** llm_ffn_op_type of the experts: SiLU (swiglu_split) or gpt-oss's clamped SwiGLU. */
  op: Extract<FfnOp, 'silu' | 'swiglu_oai'>;
  /** Renormalize the selected weights (norm_w): sum_rows, clamp, div. */
  normW: boolean;
  gating: MoeGating;
  /** LLM_ARCH_LLAMA4: experts chosen on the raw logits, the input weighted before the experts. */
  llama4?: boolean;
}

/** The tensors of one layer's routed experts (ffn_*_exps, biases for gpt-oss, DeepSeek-V3's probs bias). */
export interface MoeWeights {
  gateInp: GgmlTensor;
  gateInpB?: GgmlTensor;
  up: GgmlTensor;
  upB?: GgmlTensor;
  gate: GgmlTensor;
  gateB?: GgmlTensor;
  down: GgmlTensor;
  downB?: GgmlTensor;
  expProbsB?: GgmlTensor;
}

/** A layer's expert tensors under llama.cpp's names and shapes (src/llama-model.cpp create_tensor). */
function moeWeights(lg: LlmGraph, il: number, m: MoeMlpSpec): MoeWeights {
  const n = lg.nEmbd;
  const ff = m.expertIntermediateSize;
  const e = m.numExperts;
  const w = lg.layerWeights(il);
  return {
    gateInp: w('ffn_gate_inp.weight', [n, e]),
    ...(m.routerBias ? { gateInpB: w('ffn_gate_inp.bias', [e]) } : {}),
    up: w('ffn_up_exps.weight', [n, ff, e]),
    gate: w('ffn_gate_exps.weight', [n, ff, e]),
    down: w('ffn_down_exps.weight', [ff, n, e]),
    ...(m.expertBias
      ? {
          upB: w('ffn_up_exps.bias', [ff, e]),
          gateB: w('ffn_gate_exps.bias', [ff, e]),
          downB: w('ffn_down_exps.bias', [n, e]),
        }
      : {}),
    ...(m.routerCorrectionBias ? { expProbsB: w('exp_probs_b.bias', [e]) } : {}),
  };
}

/**
 * build_moe_ffn (src/llama-graph.cpp) over layer `il`'s expert tensors: router logits (+ bias), gating
 * probabilities, top-k by argsort (a view of the I32 argsort), the selected weights by get_rows
 * (softmaxed or renormalized), expanded early; then up and gate by mul_mat_id (+ add_id biases), the GLU,
 * down by mul_mat_id, weighted, expanded; the per-expert rows as views expanded before the adds that sum
 * them.
 */
export function buildMoeFfn(lg: LlmGraph, cur: GgmlTensor, m: MoeMlpSpec, o: MoeFfnOptions, il: number): GgmlTensor {
  const g = lg.g;
  const w = moeWeights(lg, il, m);
  const nExpert = m.numExperts;
  const nUsed = m.topK;
  const nEmbd = cur.ne[0];
  const n = cur.ne[1];
  let logits = lg.mm(w.gateInp, cur, 'ffn_moe_logits', il);
  if (w.gateInpB) logits = lg.cb(g.add(logits, w.gateInpB), 'ffn_moe_logits_biased', il);
  let probs =
    o.gating === 'softmax' ? g.softMaxExt(logits, undefined) : o.gating === 'sigmoid' ? g.unary(logits) : logits;
  lg.cb(probs, 'ffn_moe_probs', il);
  let selection = probs;
  if (w.expProbsB) selection = lg.cb(g.add(probs, w.expProbsB), 'ffn_moe_probs_biased', il);
  if (o.llama4) selection = logits;
  // ggml_argsort_top_k: an I32 argsort of every expert, viewed as its first k columns.
  const sorted = lg.cb(g.op('ARGSORT', 'argsort', 'I32', selection.ne, [selection]), 'ffn_moe_argsort', il);
  const selected = lg.cb(
    g.view(sorted, [nUsed, sorted.ne[1], sorted.ne[2], sorted.ne[3]], sorted.nb.slice(1), 0),
    'ffn_moe_topk',
    il,
  );
  probs = g.reshape(probs, [1, nExpert, n]);
  let weights = lg.cb(g.getRows(probs, selected), 'ffn_moe_weights', il);
  if (o.gating === 'softmax_weight') {
    weights = g.reshape(weights, [nUsed, n]);
    weights = g.softMaxExt(weights, undefined);
    weights = lg.cb(g.reshape(weights, [1, nUsed, n]), 'ffn_moe_weights_softmax', il);
  }
  if (o.normW) {
    weights = g.reshape(weights, [nUsed, n]);
    let sum = lg.cb(g.op('SUM_ROWS', 'sum_rows', weights.type, [1, n], [weights]), 'ffn_moe_weights_sum', il);
    sum = lg.cb(g.unaryLike('CLAMP', sum), 'ffn_moe_weights_sum_clamped', il);
    weights = lg.cb(g.binary('DIV', weights, sum), 'ffn_moe_weights_norm', il);
    weights = g.reshape(weights, [1, nUsed, n]);
  }
  // "call early so that topk-moe can be used"
  g.expand(weights);
  let x = g.reshape(cur, [nEmbd, 1, n]);
  if (o.llama4) {
    const repeated = g.op('REPEAT', 'repeat', x.type, [nEmbd, nUsed, n, 1], [x]);
    x = lg.cb(g.mul(repeated, weights), 'ffn_moe_weighted', il);
  }
  // ggml_add_id: each selected expert's bias row added to its output.
  const addId = (t: GgmlTensor, b: GgmlTensor, name: string) =>
    lg.cb(g.op('ADD_ID', 'add_id', t.type, t.ne, [t, b, selected]), name, il);
  let up = lg.cb(g.mulMatId(w.up, x, selected), 'ffn_moe_up', il);
  if (w.upB) up = addId(up, w.upB, 'ffn_moe_up_biased');
  let gate = lg.cb(g.mulMatId(w.gate, x, selected), 'ffn_moe_gate', il);
  if (w.gateB) gate = addId(gate, w.gateB, 'ffn_moe_gate_biased');
  const act = lg.cb(g.glu(gate, up), o.op === 'silu' ? 'ffn_moe_swiglu' : 'ffn_moe_swiglu_oai', il);
  let experts = lg.cb(g.mulMatId(w.down, act, selected), 'ffn_moe_down', il);
  if (w.downB) experts = addId(experts, w.downB, 'ffn_moe_down_biased');
  if (!o.llama4) experts = lg.cb(g.mul(experts, weights), 'ffn_moe_weighted', il);
  g.expand(experts);
  // "order the views before the adds"
  const views: GgmlTensor[] = [];
  for (let i = 0; i < nUsed; i++) {
    views.push(g.expand(g.view(experts, [nEmbd, n], [experts.nb[2]], i * experts.nb[1])));
  }
  let out = views[0]!;
  for (let i = 1; i < nUsed; i++) out = g.expand(g.add(out, views[i]!));
  // "avoid returning a non-contiguous tensor"
  if (nUsed === 1) out = g.cont(out);
  return lg.cb(out, 'ffn_moe_out', il);
}

/**
 * build_ffn with SiLU gated in parallel (LLM_FFN_SILU, LLM_FFN_PAR) over `ffn_{up,gate,down}<suffix>`:
 * a dense layer's FFN, or with `_shexp` the shared expert.
 */
export function swiGluFfn(lg: LlmGraph, cur: GgmlTensor, il: number, width: number, suffix = ''): GgmlTensor {
  const n = lg.nEmbd;
  const w = (name: string, ne: readonly number[]) => lg.weight(`blk.${il}.ffn_${name}${suffix}.weight`, ne);
  return lg.buildFfn(
    cur,
    { up: w('up', [n, width]), gate: w('gate', [n, width]), down: w('down', [width, n]) },
    'silu',
    'par',
    il,
  );
}

export function moeMlp(arch: Architecture, il: number): MoeMlpSpec {
  const m = arch.layers[il]!.mlp;
  if (m.kind !== 'moe') throw new UnsupportedGraphError(`layer ${il} of ${arch.family} has no experts`);
  return m;
}

/** The output head: final RMSNorm (an output: t_embd) and the logits (an output: t_logits), expanded. */
export function outputHead(lg: LlmGraph, arch: Architecture, cur: GgmlTensor): void {
  const n = arch.hiddenSize;
  const norm = lg.buildNorm(cur, lg.weight('output_norm.weight', [n]), undefined, 'rms', 'result_norm');
  const logits = lg.mm(lg.weight('output.weight', [n, arch.vocabSize]), norm, 'result_output');
  lg.g.setOutput(norm);
  lg.g.setOutput(logits);
  lg.g.expand(logits);
}

/**
 * build_attn_inp_kv (src/llama-graph.cpp) of a cache over the layers `attn`: V indices sized by
 * hparams.n_embd_v_gqa_max, rotations by the first layer's head sizes.
 */
export function attnInpKvOf(lg: LlmGraph, attn: readonly SoftmaxAttentionSpec[], nKv: number, suffix = ''): AttnInput {
  const a0 = attn[0]!;
  return lg.attnInpKv(nKv, Math.max(...attn.map((a) => a.numKvHeads * a.vHeadDim)), a0.headDim, a0.vHeadDim, suffix);
}

/**
 * build_attn_inp_kv_iswa (src/llama-graph.cpp): the base cache's k/v indices and mask, then the SWA
 * cache's (its own n_kv), each with its rotations.
 */
function attnInpIswa(lg: LlmGraph, attn: readonly SoftmaxAttentionSpec[]): { base: AttnInput; swa: AttnInput } {
  return { base: attnInpKvOf(lg, attn, lg.p.nKv), swa: attnInpKvOf(lg, attn, lg.p.nKvSwa, '_swa') };
}

/** build_moe_ffn as llama.cpp's llama and qwen3moe graphs call it: SiLU experts, softmax gating, renormalized. */
const softmaxExperts: MoeFfnHook = (lg, cur, arch, il) => {
  const m = moeMlp(arch, il);
  return buildMoeFfn(lg, cur, m, { op: 'silu', normW: true, gating: 'softmax' }, il);
};

/**
 * src/models/openai-moe.cpp (gpt-oss): iSWA attention with biases and sinks, RoPE, residual, post-attention
 * RMSNorm, experts with biased router and experts, softmax over the selected logits (SOFTMAX_WEIGHT), the
 * clamped SwiGLU; the output rows are kept after the last layer, not inside it.
 */
const gptOss: ArchGraphBuilder = (arch, p) => {
  const lg = new LlmGraph(p, arch.hiddenSize);
  const g = lg.g;
  const n = arch.hiddenSize;
  const nLayer = arch.layers.length;
  const attn = arch.layers.map((_, il) => softmaxAttention(arch, il));
  let inpL = lg.inpEmbd(lg.weight('token_embd.weight', [n, arch.vocabSize]));
  const pos = lg.inpPos();
  const inp = attnInpIswa(lg, attn);
  const outIds = lg.inpOutIds();
  for (let il = 0; il < nLayer; il++) {
    const a = attn[il]!;
    const s = attnShape(a);
    const m = moeMlp(arch, il);
    const swa = a.kind !== 'full';
    const w = lg.layerWeights(il);
    const inpSA = inpL;
    let cur = lg.buildNorm(inpL, w('attn_norm.weight', [n]), undefined, 'rms', 'attn_norm', il);
    const qkv = lg.buildQkv(cur, s, qkvWeights(lg, il, s, a.qkvBias), il);
    const q = lg.cb(g.rope(qkv.q, pos), 'Qcur', il);
    const k = lg.cb(g.rope(qkv.k, pos), 'Kcur', il);
    cur = lg.buildAttn(
      swa ? inp.swa : inp.base,
      lg.layerCache(il, s, swa ? p.nKvSwa : p.nKv),
      s,
      w('attn_output.weight', [s.headV * s.nHead, n]),
      a.outBias ? w('attn_output.bias', [n]) : undefined,
      q,
      k,
      qkv.v,
      { order: 'qkv', ...(a.sinks ? { sinks: w('attn_sinks.weight', [s.nHead]) } : {}) },
      il,
    );
    const ffnInp = lg.cb(g.add(cur, inpSA), 'ffn_inp', il);
    cur = lg.buildNorm(ffnInp, w('post_attention_norm.weight', [n]), undefined, 'rms', 'attn_post_norm', il);
    cur = buildMoeFfn(lg, cur, m, { op: 'swiglu_oai', normW: false, gating: 'softmax_weight' }, il);
    inpL = lg.cb(g.add(cur, ffnInp), 'l_out', il);
  }
  // res->t_h_nextn (the last layer's output, before the rows are picked) is a graph output
  // (src/llama-graph.cpp llm_graph_result::set_outputs): never freed.
  g.setOutput(inpL);
  outputHead(lg, arch, g.getRows(inpL, outIds));
  return g.graph();
};

/**
 * src/models/llama4.cpp (iSWA: chunked layers use the SWA cache): RoPE with the llama3 frequency factors
 * and the L2 (RMS) norm of Q and K on RoPE layers, the temperature scale of Q on the NoPE layers (every
 * `n_no_rope_layer_step` = 4th), sigmoid-gated top-k applied to the input before the experts, plus the
 * shared expert; dense layers where the interleave step leaves them.
 */
const llama4: ArchGraphBuilder = (arch, p) => {
  const lg = new LlmGraph(p, arch.hiddenSize);
  const g = lg.g;
  const n = arch.hiddenSize;
  const nLayer = arch.layers.length;
  const attn = arch.layers.map((_, il) => softmaxAttention(arch, il));
  let inpL = lg.inpEmbd(lg.weight('token_embd.weight', [n, arch.vocabSize]));
  const pos = lg.inpPos();
  // build_inp_attn_scale: [1, 1, n_tokens].
  const attnScale = g.input('attn_scale', 'F32', [1, 1, lg.nTokens]);
  const iswa = attn.some((a) => a.kind !== 'full');
  const inp = iswa ? attnInpIswa(lg, attn) : undefined;
  const inpKv = iswa ? undefined : attnInpKvOf(lg, attn, p.nKv);
  const outIds = lg.inpOutIds();
  const ropeFreqs = arch.ropeScaling === 'llama3' ? lg.weight('rope_freqs.weight', [attn[0]!.headDim / 2]) : undefined;
  // hparams.n_no_rope_layer_step: 4 with chunked attention, every layer roped without (llama4.cpp load_arch_hparams).
  const noRopeStep = iswa ? 4 : nLayer;
  // use_kq_norm: every Llama 4 but the 128-expert Maverick.
  const kqNorm = arch.layers.every((l) => l.mlp.kind !== 'moe' || l.mlp.numExperts !== 128);
  for (let il = 0; il < nLayer; il++) {
    const a = attn[il]!;
    const s = attnShape(a);
    const w = lg.layerWeights(il);
    let inpSA = inpL;
    const useRope = (il + 1) % noRopeStep !== 0;
    let cur = lg.buildNorm(inpL, w('attn_norm.weight', [n]), undefined, 'rms', 'attn_norm', il);
    const qkv = lg.buildQkv(cur, s, qkvWeights(lg, il, s, a.qkvBias), il);
    let q = qkv.q;
    let k = qkv.k;
    if (useRope) {
      q = lg.cb(g.rope(q, pos, ropeFreqs), 'Qcur', il);
      k = lg.cb(g.rope(k, pos, ropeFreqs), 'Kcur', il);
      if (kqNorm) {
        q = lg.cb(g.rmsNorm(q), 'Qcur_normed', il);
        k = lg.cb(g.rmsNorm(k), 'Kcur_normed', il);
      }
    } else q = lg.cb(g.mul(q, attnScale), 'Qcur', il);
    const wo = w('attn_output.weight', [s.headV * s.nHead, n]);
    const bo = a.outBias ? w('attn_output.bias', [n]) : undefined;
    const swa = iswa && a.kind !== 'full';
    cur = lg.buildAttn(
      inp ? (swa ? inp.swa : inp.base) : inpKv!,
      lg.layerCache(il, s, swa ? p.nKvSwa : p.nKv),
      s,
      wo,
      bo,
      q,
      k,
      qkv.v,
      { order: inp ? 'qkv' : 'qvk' },
      il,
    );
    if (il === nLayer - 1) {
      cur = g.getRows(cur, outIds);
      inpSA = g.getRows(inpSA, outIds);
    }
    const ffnInp = lg.cb(g.add(cur, inpSA), 'ffn_inp', il);
    const normed = lg.buildNorm(ffnInp, w('ffn_norm.weight', [n]), undefined, 'rms', 'ffn_norm', il);
    const m = arch.layers[il]!.mlp;
    if (m.kind === 'moe') {
      const moe = buildMoeFfn(lg, normed, m, { op: 'silu', normW: false, gating: 'sigmoid', llama4: true }, il);
      const shexp = lg.cb(
        swiGluFfn(lg, normed, il, m.shared?.intermediateSize ?? m.expertIntermediateSize, '_shexp'),
        'ffn_moe_shexp',
        il,
      );
      cur = lg.cb(g.add(moe, shexp), 'ffn_moe_out_merged', il);
    } else {
      cur = swiGluFfn(lg, normed, il, m.intermediateSize);
    }
    inpL = lg.cb(g.add(cur, ffnInp), 'l_out', il);
  }
  outputHead(lg, arch, inpL);
  return g.graph();
};

/** MoE architectures by `general.architecture` (`llama` overrides the dense table's: dense layers stay dense). */
export const MOE_BUILDERS = {
  // src/models/llama.cpp: the MoE branch wherever a layer has ffn_gate_inp (Mixtral converts to `llama`).
  llama: (arch, p) => denseDecoder(arch, p, { ...LLAMA_SPEC, moeFfn: softmaxExperts }),
  // src/models/qwen3moe.cpp: qwen3.cpp's layer (per-head q/k RMSNorm before RoPE) with build_moe_ffn.
  qwen3moe: (arch, p) => denseDecoder(arch, p, { ...LLAMA_SPEC, qkNorm: 'per-head', moeFfn: softmaxExperts }),
  'gpt-oss': gptOss,
  llama4,
} satisfies Record<string, ArchGraphBuilder>;
