/**
 * Attention over llama.cpp's interleaved sliding-window cache (src/llama-kv-cache-iswa.cpp: a base cache
 * for the full layers, an SWA cache for the sliding or chunked ones), on {@link LlmGraph}'s pieces.
 */
import type { SoftmaxAttentionSpec } from '../../model/architecture.js';
import type { GgmlTensor } from './graph.js';
import type { AttnInput, AttnShape, LlmGraph } from './llm-graph.js';

/** llm_graph_input_attn_kv_iswa: one {@link AttnInput} per cache. */
export interface AttnInputIswa {
  base: AttnInput;
  swa: AttnInput;
}

/**
 * build_attn_inp_kv_iswa (src/llama-graph.cpp): k/v indices and the KQ mask of the base cache (n_kv cells)
 * and of the SWA cache (its own, smaller n_kv), and each cache's Hadamard rotations.
 * @param attn every layer's attention; sliding and chunked layers live in the SWA cache
 */
export function attnInpKvIswa(lg: LlmGraph, attn: readonly SoftmaxAttentionSpec[]): AttnInputIswa {
  const vGqa = (swa: boolean) =>
    Math.max(0, ...attn.filter((a) => (a.kind !== 'full') === swa).map((a) => a.numKvHeads * a.vHeadDim));
  const a0 = attn[0]!;
  return {
    base: lg.attnInpKv(lg.p.nKv, vGqa(false), a0.headDim, a0.vHeadDim),
    swa: lg.attnInpKv(lg.p.nKvSwa, vGqa(true), a0.headDim, a0.vHeadDim, '_swa'),
  };
}

/**
 * build_attn over an iSWA cache (src/llama-graph.cpp, llm_graph_input_attn_kv_iswa): the layer's cache
 * picks the rotations and the mask; q, k, v are expanded in that order (the plain KV path expands q, v,
 * k), K and V stored, attention with optional sinks, then wo (+ bias).
 */
export function buildAttnIswa(
  lg: LlmGraph,
  inp: AttnInputIswa,
  isSwa: boolean,
  il: number,
  s: AttnShape,
  wo: GgmlTensor | undefined,
  woB: GgmlTensor | undefined,
  qCur: GgmlTensor,
  kCur: GgmlTensor,
  vCur: GgmlTensor,
  sinks: GgmlTensor | undefined,
): GgmlTensor {
  const g = lg.g;
  const cin = isSwa ? inp.swa : inp.base;
  let q = qCur;
  let k = kCur;
  let v = vCur;
  if (cin.kRot) {
    q = lg.hadamard(q, cin.kRot);
    k = lg.hadamard(k, cin.kRot);
  }
  if (cin.vRot) v = lg.hadamard(v, cin.vRot);
  g.expand(q);
  g.expand(k);
  g.expand(v);
  const cache = lg.layerCache(il, s, cin.nKv);
  g.expand(lg.cpyK(k, cin.kIdxs, cache));
  g.expand(lg.cpyV(v, cin.vIdxs!, cache));
  let cur = lg.buildAttnMha(q, lg.getK(cache, s), lg.getV(cache, s), undefined, cin.mask, sinks, undefined, false, il);
  lg.cb(cur, 'kqv_out', il);
  if (cin.vRot) cur = lg.hadamard(cur, cin.vRot);
  if (wo) cur = lg.mm(wo, cur, 'attn_out', il);
  if (woB) cur = lg.cb(g.add(cur, woB), 'attn_out', il);
  return cur;
}
