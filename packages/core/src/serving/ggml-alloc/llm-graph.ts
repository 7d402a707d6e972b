/**
 * The pieces of llama.cpp's graph that every architecture shares (src/llama-graph.cpp llm_graph_context,
 * src/llama-kv-cache.cpp), re-derived on {@link GraphBuilder}: inputs, norms, Q/K/V, attention over the KV
 * cache, the feed-forward block and the output head. An architecture builder composes them in the order
 * its src/models/<arch>.cpp does.
 */
import type { Architecture } from '../../model/architecture.js';
import { type GgmlGraph, type GgmlTensor, GraphBuilder, isContiguous, rowBytes } from './graph.js';

/** What the reserve graph is built for (src/llama-context.cpp sched_reserve, graph_reserve). */
export interface GraphReserveParams {
  /** ubatch tokens: min(n_ctx, n_ubatch), rounded up to a multiple of `nSeqs`. */
  nTokens: number;
  /** Sequences of the reserve ubatch (n_seq_max). */
  nSeqs: number;
  /** KV streams: 1 with a unified cache, else n_seq_max. */
  nStream: number;
  /** Output rows: min(n_tokens, n_outputs_max = n_batch). */
  nOutputs: number;
  /** KV cells per stream of the full-attention cache (the reserve views every cell: init_full). */
  nKv: number;
  /** KV cells per stream of the sliding-window cache (iSWA architectures), else `nKv`. */
  nKvSwa: number;
  flashAttn: boolean;
  /** K and V cache types as ggml names them (`F16`, `Q8_0`). */
  typeK: string;
  typeV: string;
}

/**
 * Builds the reserve graph llama.cpp builds for an architecture (src/models/<arch>.cpp) over every layer
 * of `arch`, in ggml's node order. Registered per `general.architecture` in registry.ts.
 */
export type ArchGraphBuilder = (arch: Architecture, p: GraphReserveParams) => GgmlGraph;

/** Key/value widths of one attention layer as llama.cpp's hparams give them. */
export interface AttnShape {
  nHead: number;
  nHeadKv: number;
  headK: number;
  headV: number;
}

/** One layer's KV cache tensors (src/llama-kv-cache.cpp: k [n_embd_k_gqa, kv_size, n_stream], v alike). */
export interface LayerCache {
  k: GgmlTensor;
  v: GgmlTensor | undefined;
  nKv: number;
  kvSize: number;
}

/** Inputs of an attention over a KV cache (llm_graph_input_attn_kv, one per cache of an iSWA model). */
export interface AttnInput {
  kIdxs: GgmlTensor;
  vIdxs: GgmlTensor | undefined;
  mask: GgmlTensor;
  kRot: GgmlTensor | undefined;
  vRot: GgmlTensor | undefined;
  nKv: number;
}

const QUANTIZED = new Set(['Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q8_0', 'IQ4_NL']);

/** ggml_is_quantized for the KV cache types llama.cpp accepts. */
export function isQuantizedType(type: string): boolean {
  return QUANTIZED.has(type.toUpperCase());
}

/** Feed-forward activation and gate wiring (src/llama-graph.h llm_ffn_op_type, llm_ffn_gate_type). */
export type FfnOp = 'silu' | 'gelu' | 'relu' | 'swiglu_oai';
export type FfnGate = 'par' | 'seq' | 'none';

/**
 * llm_graph_context over a {@link GraphBuilder}: holds the reserve parameters and builds the shared
 * pieces with llama.cpp's tensor names (`attn_norm-3`, `ffn_up-3`), which name the peak's live tensors.
 */
export class LlmGraph {
  readonly g = new GraphBuilder();
  readonly nTokens: number;
  constructor(
    readonly p: GraphReserveParams,
    readonly nEmbd: number,
  ) {
    this.nTokens = p.nTokens;
  }

  /** llm_graph_context::cb: llama.cpp names a tensor `name-il` (or `name` outside a layer). */
  cb(t: GgmlTensor, name: string, il = -1): GgmlTensor {
    t.name = il >= 0 ? `${name}-${il}` : name;
    return t;
  }

  weight(name: string, ne: readonly number[]): GgmlTensor {
    return this.g.weight(name, 'F32', ne);
  }

  /** The tensors of model.layers[il] by their GGUF names (`blk.<il>.<name>`, src/llama-arch.cpp LLM_TENSOR_NAMES). */
  layerWeights(il: number): (name: string, ne: readonly number[]) => GgmlTensor {
    return (name, ne) => this.weight(`blk.${il}.${name}`, ne);
  }

  /** build_inp_embd: token ids → get_rows of the embedding table; the embeddings input stays in the graph (ggml_build_forward_select). */
  inpEmbd(tokEmbd: GgmlTensor): GgmlTensor {
    const g = this.g;
    const tokens = g.input('inp_tokens', 'I32', [this.nTokens]);
    const embd = g.input('inp_embd', 'F32', [this.nEmbd, this.nTokens]);
    const rows = g.getRows(tokEmbd, tokens, 'inp_embd_rows');
    return g.select([rows, embd], 0);
  }

  /** build_inp_pos: one position per token (n_pos_per_embd = 1 here). */
  inpPos(): GgmlTensor {
    return this.g.input('inp_pos', 'I32', [this.nTokens]);
  }

  /** build_inp_out_ids: the rows the last layer keeps. */
  inpOutIds(): GgmlTensor {
    return this.g.input('inp_out_ids', 'I32', [this.p.nOutputs]);
  }

  /**
   * build_attn_inp_kv (build_attn_inp_kv_impl): k/v row indices, the KQ mask [n_kv, n_tokens/n_stream, 1,
   * n_stream] (f16 with flash attention: build_attn_inp_kq_mask), and the Hadamard rotations of a quantized
   * cache whose heads are multiples of 64 (llama_kv_cache::build_input_k_rot / _v_rot).
   * @param headK K head size of every layer of this cache (n_embd_head_k_all), headV likewise
   */
  attnInpKv(nKv: number, vGqaMax: number, headK: number, headV: number, suffix = ''): AttnInput {
    const g = this.g;
    const { flashAttn, typeK, typeV, nStream } = this.p;
    const kIdxs = g.input(`k_idxs${suffix}`, 'I64', [this.nTokens]);
    // llama_kv_cache::build_input_v_idxs: a transposed V cache (no flash attention) stores one element per row.
    const vIdxs = g.input(`v_idxs${suffix}`, 'I64', [flashAttn ? this.nTokens : this.nTokens * vGqaMax]);
    const mask = g.input(`attn_inp_kq_mask${suffix}`, flashAttn ? 'F16' : 'F32', [
      nKv,
      this.nTokens / nStream,
      1,
      nStream,
    ]);
    let kRot: GgmlTensor | undefined;
    if (isQuantizedType(typeK) && headK > 0 && headK % 64 === 0) {
      let nrot = 64;
      do nrot *= 2;
      while (headK % nrot === 0);
      nrot /= 2;
      kRot = g.input(`attn_inp_k_rot${suffix}`, 'F32', [nrot, nrot]);
    }
    const vRot =
      isQuantizedType(typeV) && headV > 0 && headV % 64 === 0
        ? g.input(`attn_inp_v_rot${suffix}`, 'F32', [64, 64])
        : undefined;
    return { kIdxs, vIdxs, mask, kRot, vRot, nKv };
  }

  /** The KV cache tensors of one layer (external memory: the KV buffer). */
  layerCache(il: number, a: AttnShape, nKv: number, hasV = true): LayerCache {
    const { nStream, typeK, typeV } = this.p;
    const k = this.g.weight(`cache_k_l${il}`, typeK, [a.headK * a.nHeadKv, nKv, nStream]);
    const v = hasV ? this.g.weight(`cache_v_l${il}`, typeV, [a.headV * a.nHeadKv, nKv, nStream]) : undefined;
    return { k, v, nKv, kvSize: nKv };
  }

  /** build_norm: ggml_norm / ggml_rms_norm, then × weight, + bias. */
  buildNorm(
    cur: GgmlTensor,
    w: GgmlTensor | undefined,
    b: GgmlTensor | undefined,
    kind: 'rms' | 'layer',
    name: string,
    il = -1,
  ): GgmlTensor {
    const g = this.g;
    let t = this.cb(kind === 'rms' ? g.rmsNorm(cur) : g.norm(cur), 'norm', il);
    if (w) t = this.cb(g.mul(t, w), name, il);
    if (b) t = this.cb(g.add(t, b), name, il);
    if (!w && !b) this.cb(t, name, il);
    return t;
  }

  /** build_lora_mm without adapters: ggml_mul_mat. */
  mm(w: GgmlTensor, cur: GgmlTensor, name: string, il = -1): GgmlTensor {
    return this.cb(this.g.mulMat(w, cur), name, il);
  }

  /**
   * build_qkv: one fused projection viewed as Q, K and V, or three projections reshaped to
   * [head, n_head, n_tokens]; biases added after the projections.
   */
  buildQkv(
    cur: GgmlTensor,
    a: AttnShape,
    w: {
      wqkv?: GgmlTensor;
      bqkv?: GgmlTensor;
      wq?: GgmlTensor;
      wk?: GgmlTensor;
      wv?: GgmlTensor;
      bq?: GgmlTensor;
      bk?: GgmlTensor;
      bv?: GgmlTensor;
    },
    il: number,
  ): { q: GgmlTensor; k: GgmlTensor; v: GgmlTensor } {
    const g = this.g;
    const n = this.nTokens;
    if (w.wqkv) {
      let qkv = this.mm(w.wqkv, cur, 'wqkv', il);
      if (w.bqkv) qkv = this.cb(g.add(qkv, w.bqkv), 'wqkv_b', il);
      const row = rowBytes(qkv.type, a.headK);
      const q = g.view(qkv, [a.headK, a.nHead, n], [row, qkv.nb[1]], 0, `Qcur-${il}`);
      const k = g.view(
        qkv,
        [a.headK, a.nHeadKv, n],
        [row, qkv.nb[1]],
        rowBytes(qkv.type, a.headK * a.nHead),
        `Kcur-${il}`,
      );
      const v = g.view(
        qkv,
        [a.headK, a.nHeadKv, n],
        [row, qkv.nb[1]],
        rowBytes(qkv.type, a.headK * (a.nHead + a.nHeadKv)),
        `Vcur-${il}`,
      );
      return { q, k, v };
    }
    let q = this.mm(w.wq!, cur, 'Qcur', il);
    if (w.bq) q = this.cb(g.add(q, w.bq), 'Qcur', il);
    let k = this.mm(w.wk!, cur, 'Kcur', il);
    if (w.bk) k = this.cb(g.add(k, w.bk), 'Kcur', il);
    let v = this.mm(w.wv!, cur, 'Vcur', il);
    if (w.bv) v = this.cb(g.add(v, w.bv), 'Vcur', il);
    return {
      q: g.reshape(q, [a.headK, a.nHead, n], `Qcur-${il}`),
      k: g.reshape(k, [a.headK, a.nHeadKv, n], `Kcur-${il}`),
      v: g.reshape(v, [a.headV, a.nHeadKv, n], `Vcur-${il}`),
    };
  }

  /** llama_mul_mat_hadamard (src/llama-impl.h): rows of the rotation size times the rotation, shape restored. */
  hadamard(cur: GgmlTensor, rot: GgmlTensor): GgmlTensor {
    const g = this.g;
    const n = rot.ne[0];
    const rows = g.nelements(cur) / n;
    const flat = isContiguous(cur) ? g.reshape(cur, [n, rows]) : g.cont(cur, [n, rows]);
    return g.reshape(g.mulMat(rot, flat), cur.ne);
  }

  /** llama_kv_cache::cpy_k: K rows stored with set_rows (the streams merged into one 2-D view). */
  cpyK(kCur: GgmlTensor, idxs: GgmlTensor, cache: LayerCache): GgmlTensor {
    const g = this.g;
    const gqa = kCur.ne[0] * kCur.ne[1];
    const cur = g.view(kCur, [gqa, kCur.ne[2]], [kCur.nb[2]], 0);
    let k = cache.k;
    if (this.p.nStream > 1) k = g.reshape(k, [gqa, cache.kvSize * this.p.nStream]);
    return g.setRows(k, cur, idxs, `cache_k_store`);
  }

  /** llama_kv_cache::cpy_v: rows with flash attention; one element per row into the transposed cache otherwise. */
  cpyV(vCur: GgmlTensor, idxs: GgmlTensor, cache: LayerCache): GgmlTensor {
    const g = this.g;
    const v = cache.v!;
    const gqa = vCur.ne[0] * vCur.ne[1];
    const n = vCur.ne[2];
    if (this.p.flashAttn) {
      const cur = g.view(vCur, [gqa, n], [vCur.nb[2]], 0);
      const dst = this.p.nStream > 1 ? g.reshape(v, [gqa, cache.kvSize * this.p.nStream]) : v;
      return g.setRows(dst, cur, idxs, 'cache_v_store');
    }
    let cur = rowBytes(vCur.type, gqa) === vCur.nb[2] ? g.reshape(vCur, [gqa, n]) : g.cont(vCur, [gqa, n]);
    if (gqa < v.ne[0]) cur = g.pad(cur, [v.ne[0] - gqa]);
    const view = g.reshape(v, [1, g.nelements(v)]);
    cur = g.reshape(cur, [1, g.nelements(cur)]);
    return g.setRows(view, cur, idxs, 'cache_v_store');
  }

  /** llama_kv_cache::get_k: [head_k, n_head_kv, n_kv, n_stream] over the whole cache. */
  getK(cache: LayerCache, a: AttnShape): GgmlTensor {
    const k = cache.k;
    const gqa = k.ne[0];
    return this.g.view(
      k,
      [a.headK, a.nHeadKv, cache.nKv, this.p.nStream],
      [rowBytes(k.type, a.headK), rowBytes(k.type, gqa), rowBytes(k.type, gqa * cache.kvSize)],
      0,
      `k-view`,
    );
  }

  /** llama_kv_cache::get_v: rows with flash attention, the transposed layout [n_kv, n_head_kv, head_v] without. */
  getV(cache: LayerCache, a: AttnShape): GgmlTensor {
    const v = cache.v!;
    const gqa = v.ne[0];
    const ns = this.p.nStream;
    if (this.p.flashAttn)
      return this.g.view(
        v,
        [a.headV, a.nHeadKv, cache.nKv, ns],
        [rowBytes(v.type, a.headV), rowBytes(v.type, gqa), rowBytes(v.type, gqa * cache.kvSize)],
        0,
        'v-view',
      );
    return this.g.view(
      v,
      [cache.nKv, a.nHeadKv, a.headV, ns],
      [rowBytes(v.type, cache.kvSize * a.headV), rowBytes(v.type, cache.kvSize), rowBytes(v.type, cache.kvSize * gqa)],
      0,
      'v-view',
    );
  }

  /**
   * build_attn_mha: queries split into streams and permuted; FLASH_ATTN_EXT with flash attention, else
   * kq = k·q (f32), softmax with the mask (soft-capped first where the model caps logits), v·kq, merged
   * back to [n_embd_v, n_tokens]. Expanded into the graph at the end, as llama.cpp does.
   */
  buildAttnMha(
    q0: GgmlTensor,
    k0: GgmlTensor,
    v0: GgmlTensor,
    kqB: GgmlTensor | undefined,
    mask: GgmlTensor,
    sinks: GgmlTensor | undefined,
    vMla: GgmlTensor | undefined,
    softcap: boolean,
    il: number,
  ): GgmlTensor {
    const g = this.g;
    const vTrans = v0.nb[1] > v0.nb[2];
    const ns = k0.ne[3];
    let q = g.view(q0, [q0.ne[0], q0.ne[1], q0.ne[2] / ns, ns], [q0.nb[1], q0.nb[2], q0.nb[3] / ns], 0);
    q = g.permute(q, [0, 2, 1, 3]);
    const k = g.permute(k0, [0, 2, 1, 3]);
    let v = g.permute(v0, [0, 2, 1, 3]);
    let cur: GgmlTensor;
    if (this.p.flashAttn && !kqB) {
      if (vTrans) v = g.transpose(v);
      let kk = k;
      if (kk.type === 'F32') kk = g.cast(kk, 'F16');
      if (v.type === 'F32') v = g.cast(v, 'F16');
      cur = this.cb(g.flashAttnExt(q, kk, v, mask, sinks), '__fattn__', il);
      if (vMla) {
        cur = g.permute(cur, [0, 2, 1, 3]);
        cur = this.mm(vMla, cur, 'fattn_mla', il);
        cur = g.permute(cur, [0, 2, 1, 3]);
        cur = g.cont(cur);
      }
      cur = g.reshape(cur, [cur.ne[0] * cur.ne[1], cur.ne[2] * cur.ne[3]]);
    } else {
      let kq = this.cb(g.mulMat(k, q), 'kq', il);
      if (softcap) {
        kq = this.cb(g.scale(kq), 'kq_scaled_1', il);
        kq = this.cb(g.unary(kq), 'kq_tanh', il);
        kq = this.cb(g.scale(kq), 'kq_scaled_2', il);
      }
      if (kqB) kq = this.cb(g.add(kq, kqB), 'kq_plus_kq_b', il);
      kq = this.cb(g.softMaxExt(kq, mask, sinks), 'kq_soft_max', il);
      if (!vTrans) v = this.cb(g.cont(g.transpose(v)), 'v_cont', il);
      let kqv = this.cb(g.mulMat(v, kq), 'kqv', il);
      if (vMla) kqv = this.mm(vMla, kqv, 'kqv_mla', il);
      cur = g.permute(kqv, [0, 2, 1, 3]);
      cur = g.cont(cur, [cur.ne[0] * cur.ne[1], cur.ne[2] * cur.ne[3]], `kqv_merged_cont-${il}`);
    }
    g.expand(cur);
    return cur;
  }

  /**
   * build_attn over a KV cache (llm_graph_input_attn_kv, or one cache of llm_graph_input_attn_kv_iswa):
   * optional Hadamard rotations, q/v/k expanded (q/k/v for iSWA), K and V stored, attention over the whole cache, then wo (+ bias).
   */
  buildAttn(
    inp: AttnInput,
    cache: LayerCache,
    a: AttnShape,
    wo: GgmlTensor | undefined,
    woB: GgmlTensor | undefined,
    qCur: GgmlTensor,
    kCur: GgmlTensor,
    vCur: GgmlTensor,
    opts: { kqB?: GgmlTensor; sinks?: GgmlTensor; softcap?: boolean; order?: 'qvk' | 'qkv' },
    il: number,
  ): GgmlTensor {
    const g = this.g;
    let q = qCur;
    let k = kCur;
    let v = vCur;
    if (inp.kRot) {
      q = this.hadamard(q, inp.kRot);
      k = this.hadamard(k, inp.kRot);
    }
    if (inp.vRot) v = this.hadamard(v, inp.vRot);
    // build_attn expands q, v, k (rope fusion into the cache); the iSWA variant q, k, v.
    g.expand(q);
    if (opts.order === 'qkv') {
      g.expand(k);
      g.expand(v);
    } else {
      g.expand(v);
      g.expand(k);
    }
    g.expand(this.cpyK(k, inp.kIdxs, cache));
    g.expand(this.cpyV(v, inp.vIdxs!, cache));
    let cur = this.buildAttnMha(
      q,
      this.getK(cache, a),
      this.getV(cache, a),
      opts.kqB,
      inp.mask,
      opts.sinks,
      undefined,
      opts.softcap ?? false,
      il,
    );
    this.cb(cur, 'kqv_out', il);
    if (inp.vRot) cur = this.hadamard(cur, inp.vRot);
    if (wo) cur = this.mm(wo, cur, 'attn_out', il);
    if (woB) cur = this.cb(g.add(cur, woB), 'attn_out', il);
    return cur;
  }

  /**
   * build_ffn: up (+ bias), gate in parallel or in sequence (+ bias), the activation — a fused GLU op
   * (ggml_swiglu_split / ggml_geglu_split, not in place) when gated in parallel — then down (+ bias).
   */
  buildFfn(
    cur: GgmlTensor,
    w: {
      up: GgmlTensor;
      upB?: GgmlTensor;
      gate?: GgmlTensor;
      gateB?: GgmlTensor;
      down: GgmlTensor;
      downB?: GgmlTensor;
    },
    op: FfnOp,
    gateType: FfnGate,
    il: number,
  ): GgmlTensor {
    const g = this.g;
    let tmp = this.mm(w.up, cur, 'ffn_up', il);
    if (w.upB) tmp = this.cb(g.add(tmp, w.upB), 'ffn_up_b', il);
    let x: GgmlTensor;
    if (w.gate) {
      x = this.mm(w.gate, gateType === 'seq' ? tmp : cur, 'ffn_gate', il);
      if (w.gateB) x = this.cb(g.add(x, w.gateB), 'ffn_gate_b', il);
    } else x = tmp;
    const par = w.gate !== undefined && gateType === 'par';
    if (par) x = this.cb(g.glu(x, tmp), op === 'gelu' ? 'ffn_geglu' : op === 'relu' ? 'ffn_reglu' : 'ffn_swiglu', il);
    else x = this.cb(g.unary(x), `ffn_${op}`, il);
    x = this.mm(w.down, x, 'ffn_down', il);
    if (w.downB) x = this.cb(g.add(x, w.downB), 'ffn_down', il);
    return x;
  }
}
