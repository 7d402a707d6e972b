/**
 * The reserve graph of llama.cpp's `deepseek2` architecture (src/models/deepseek2.cpp) with multi-head
 * latent attention on the absorbed path: the cache holds one latent row per cell (kv_lora_rank + rope
 * values), queries are absorbed into the latent space by `attn_k_b`, V is a view of the cached K, and the
 * attention output is expanded back per head by `attn_v_b`.
 */
import type { Architecture } from '../../model/architecture.js';
import { rowBytes } from './graph.js';
import { UnsupportedGraphError } from './unsupported.js';
import { type ArchGraphBuilder, type AttnShape, LlmGraph } from './llm-graph.js';
import { softmaxAttention } from './dense.js';
import { buildMoeFfn, outputHead, swiGluFfn } from './moe.js';

function mlaSpec(arch: Architecture, il: number) {
  const a = softmaxAttention(arch, il);
  if (!a.mla) throw new UnsupportedGraphError(`layer ${il} of ${arch.family} has no latent attention (mla)`);
  return { a, mla: a.mla };
}

/**
 * src/models/deepseek2.cpp (is_mla): RMSNorm; q (directly, or through the q LoRA and its norm); the
 * compressed kv + k_pe projection split by views, k_pe roped, the latent normed; q split into nope and
 * rope parts, the rope part roped, the nope part absorbed by wk_b (a batched mul_mat over heads) and
 * concatenated with it; K = concat(latent, k_pe), V = the latent. build_attn over the K-only cache
 * (llm_graph_input_attn_k: no V store, no rotations), v_mla = wv_b; then dense FFN for the leading
 * layers, else the experts plus the shared expert. The final norm is both t_embd and t_h_nextn.
 */
const deepseek2: ArchGraphBuilder = (arch, p) => {
  const lg = new LlmGraph(p, arch.hiddenSize);
  const g = lg.g;
  const n = arch.hiddenSize;
  const nTok = lg.nTokens;
  const nLayer = arch.layers.length;
  let inpL = lg.inpEmbd(lg.weight('token_embd.weight', [n, arch.vocabSize]));
  const pos = lg.inpPos();
  const first = mlaSpec(arch, 0);
  const latentWidth = first.mla.kvLoraRank + first.mla.qkRopeHeadDim;
  // build_attn_inp_k: k indices and the KQ mask of the K-only cache (its V indices and rotations are never used).
  const inp = lg.attnInpKv(p.nKv, 0, latentWidth, first.mla.kvLoraRank);
  const outIds = lg.inpOutIds();
  for (let il = 0; il < nLayer; il++) {
    const { a, mla } = mlaSpec(arch, il);
    const nHead = a.numHeads;
    const rank = mla.kvLoraRank;
    const rope = mla.qkRopeHeadDim;
    const nope = mla.qkNopeHeadDim;
    const headK = nope + rope;
    const w = lg.layerWeights(il);
    let inpSA = inpL;
    let cur = lg.buildNorm(inpL, w('attn_norm.weight', [n]), undefined, 'rms', 'attn_norm', il);
    let q =
      mla.qLoraRank > 0
        ? lg.mm(
            w('attn_q_b.weight', [mla.qLoraRank, headK * nHead]),
            lg.buildNorm(
              lg.mm(w('attn_q_a.weight', [n, mla.qLoraRank]), cur, 'q', il),
              w('attn_q_a_norm.weight', [mla.qLoraRank]),
              undefined,
              'rms',
              'q',
              il,
            ),
            'q',
            il,
          )
        : lg.mm(w('attn_q.weight', [n, headK * nHead]), cur, 'q', il);
    q = lg.cb(g.reshape(q, [headK, nHead, nTok]), 'q', il);
    const kvCmprPe = lg.mm(w('attn_kv_a_mqa.weight', [n, rank + rope]), cur, 'kv_cmpr_pe', il);
    const row = rowBytes(kvCmprPe.type, rank + rope);
    let kvCmpr = lg.cb(g.view(kvCmprPe, [rank, nTok], [row], 0), 'kv_cmpr', il);
    let kPe = lg.cb(g.view(kvCmprPe, [rope, 1, nTok], [row, row], rowBytes(kvCmprPe.type, rank)), 'k_pe', il);
    kPe = lg.cb(g.rope(kPe, pos), 'k_pe', il);
    kvCmpr = lg.buildNorm(kvCmpr, w('attn_kv_a_norm.weight', [rank]), undefined, 'rms', 'kv_cmpr', il);
    let qNope = lg.cb(g.view(q, [nope, nHead, nTok], [q.nb[1], q.nb[2]], 0), 'q_nope', il);
    let qPe = lg.cb(g.view(q, [rope, nHead, nTok], [q.nb[1], q.nb[2]], rowBytes(q.type, nope)), 'q_pe', il);
    qPe = lg.cb(g.rope(qPe, pos), 'q_pe', il);
    qNope = g.permute(qNope, [0, 2, 1, 3]);
    let absorbed = lg.mm(w('attn_k_b.weight', [nope, rank, nHead]), qNope, 'q_nope_absorbed', il);
    absorbed = g.permute(absorbed, [0, 2, 1, 3]);
    const qCur = lg.cb(g.concat(absorbed, qPe, 0), 'Qcur', il);
    kvCmpr = g.reshape(kvCmpr, [rank, 1, nTok]);
    const kCur = lg.cb(g.concat(kvCmpr, kPe, 0), 'Kcur', il);
    const vCur = kvCmpr;
    // build_attn (llm_graph_input_attn_k): MQA over the latent cache, one KV head of the latent width.
    const s: AttnShape = { nHead, nHeadKv: 1, headK: rank + rope, headV: rank };
    g.expand(qCur);
    g.expand(vCur);
    g.expand(kCur);
    const cache = lg.layerCache(il, s, p.nKv, false);
    g.expand(lg.cpyK(kCur, inp.kIdxs, cache));
    const k = lg.getK(cache, s);
    const v = g.view(k, [vCur.ne[0], k.ne[1], k.ne[2], k.ne[3]], [k.nb[1], k.nb[2], k.nb[3]], 0);
    const wvB = w('attn_v_b.weight', [rank, mla.vHeadDim, nHead]);
    cur = lg.cb(lg.buildAttnMha(qCur, k, v, undefined, inp.mask, undefined, wvB, false, il), 'kqv_out', il);
    cur = lg.mm(w('attn_output.weight', [nHead * mla.vHeadDim, n]), cur, 'attn_out', il);
    if (il === nLayer - 1) {
      cur = g.getRows(cur, outIds);
      inpSA = g.getRows(inpSA, outIds);
    }
    const ffnInp = lg.cb(g.add(cur, inpSA), 'ffn_inp', il);
    cur = lg.buildNorm(ffnInp, w('ffn_norm.weight', [n]), undefined, 'rms', 'ffn_norm', il);
    const m = arch.layers[il]!.mlp;
    if (m.kind === 'dense') {
      cur = swiGluFfn(lg, cur, il, m.intermediateSize);
    } else {
      // DeepSeek-V2 routes by softmax without renormalizing (expert_gating_func absent, expert_weights_norm
      // false); V3-style routers (a correction bias) by sigmoid, renormalized (deepseek2.cpp load_arch_hparams).
      // Not built for V3 (the architecture does not carry them; no fixture measures V3): the group-limited
      // selection (n_expert_groups: tensors of n_expert × n_tokens) and the routed_scaling_factor scale.
      const v3 = m.routerCorrectionBias;
      const moe = buildMoeFfn(lg, cur, m, { op: 'silu', normW: v3, gating: v3 ? 'sigmoid' : 'softmax' }, il);
      cur = m.shared
        ? lg.cb(
            g.add(moe, lg.cb(swiGluFfn(lg, cur, il, m.shared.intermediateSize, '_shexp'), 'ffn_shexp', il)),
            'ffn_out',
            il,
          )
        : moe;
    }
    inpL = lg.cb(g.add(cur, ffnInp), 'l_out', il);
  }
  outputHead(lg, arch, inpL);
  return g.graph();
};

/** MLA architectures by `general.architecture`. */
export const MLA_BUILDERS = { deepseek2 } satisfies Record<string, ArchGraphBuilder>;
