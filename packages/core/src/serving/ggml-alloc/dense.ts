/**
 * Reserve graphs of llama.cpp's dense architectures, each following its src/models/<arch>.cpp: the
 * layer loop over {@link LlmGraph}'s shared pieces, in the order the C++ builds them.
 */
import type { Architecture, SoftmaxAttentionSpec } from '../../model/architecture.js';
import { isSoftmaxAttention } from '../../model/architecture.js';
import { UnsupportedGraphError } from './unsupported.js';
import type { GgmlGraph, GgmlTensor } from './graph.js';
import {
  type ArchGraphBuilder,
  type AttnInput,
  type AttnShape,
  type GraphReserveParams,
  LlmGraph,
} from './llm-graph.js';

export function softmaxAttention(arch: Architecture, il: number): SoftmaxAttentionSpec {
  const a = arch.layers[il]!.attention;
  if (!isSoftmaxAttention(a)) throw new UnsupportedGraphError(`layer ${il} of ${arch.family} has no softmax attention`);
  return a;
}

export function attnShape(a: SoftmaxAttentionSpec): AttnShape {
  return { nHead: a.numHeads, nHeadKv: a.numKvHeads, headK: a.headDim, headV: a.vHeadDim };
}

/** Separate Q/K/V projections (+ biases) of one layer under llama.cpp's names (src/llama-model.cpp create_tensor). */
export function qkvWeights(lg: LlmGraph, il: number, s: AttnShape, bias: boolean) {
  const n = lg.nEmbd;
  const w = lg.layerWeights(il);
  return {
    wq: w('attn_q.weight', [n, s.headK * s.nHead]),
    wk: w('attn_k.weight', [n, s.headK * s.nHeadKv]),
    wv: w('attn_v.weight', [n, s.headV * s.nHeadKv]),
    ...(bias
      ? {
          bq: w('attn_q.bias', [s.headK * s.nHead]),
          bk: w('attn_k.bias', [s.headK * s.nHeadKv]),
          bv: w('attn_v.bias', [s.headV * s.nHeadKv]),
        }
      : {}),
  };
}

function ffnWidth(arch: Architecture, il: number): number {
  const m = arch.layers[il]!.mlp;
  if (m.kind !== 'dense') throw new UnsupportedGraphError(`layer ${il} of ${arch.family} is not dense`);
  return m.intermediateSize;
}

/**
 * The feed-forward block of a MoE layer inside a dense family's decoder (mixtral converts to `llama`):
 * from the FFN norm's output to the block's output, as build_moe_ffn builds it.
 */
export type MoeFfnHook = (lg: LlmGraph, cur: GgmlTensor, arch: Architecture, il: number) => GgmlTensor;

/** How one dense family's src/models/<arch>.cpp differs from llama's layer. */
export interface DenseSpec {
  /** Builds the FFN of layers whose MLP is MoE; without it such a layer is unsupported. */
  moeFfn?: MoeFfnHook;
  norm: 'rms' | 'layer';
  /** Norm biases (gpt2's LayerNorm). */
  normBias?: boolean;
  /** Token embeddings scaled by √n_embd (gemma*: ggml_scale after build_inp_embd). */
  embedScale?: boolean;
  /** Learned positions added to the embeddings (gpt2: get_rows of position_embd). */
  posEmbd?: boolean;
  /** No norm before attention / before the FFN (olmo2). */
  noPreAttnNorm?: boolean;
  noPreFfnNorm?: boolean;
  /** q/k norms: per head after build_qkv (qwen3, gemma3) or over the projection before the reshape (olmo2). */
  qkNorm?: 'per-head' | 'full';
  /** No RoPE (gpt2). */
  noRope?: boolean;
  /** Q scaled after RoPE (phi3, gemma*). */
  qScale?: boolean;
  /** Norms after attention and after the FFN (gemma2, gemma3, olmo2). */
  postNorms?: boolean;
  ffn: { op: 'silu' | 'gelu'; gate: 'par' | 'seq'; fusedUp?: boolean };
  /** Sliding-window layers read their own cache (llm_graph_input_attn_kv_iswa). */
  iswa?: boolean;
  /** Attention and final logit soft-capping (gemma2). */
  softcap?: boolean;
  /** Residual operand order of the two adds: llama adds (branch, residual); phi3 adds (residual, branch) last. */
  residualFirst?: boolean;
}

/**
 * One dense decoder over every layer of `arch`, built as src/models/<arch>.cpp builds it; the family's
 * differences from llama.cpp's llama graph come from `spec`.
 */
export function denseDecoder(arch: Architecture, p: GraphReserveParams, spec: DenseSpec): GgmlGraph {
  const attn = arch.layers.map((_, il) => softmaxAttention(arch, il));
  const lg = new LlmGraph(p, arch.hiddenSize);
  const g = lg.g;
  const n = arch.hiddenSize;
  const nLayer = arch.layers.length;
  const isSwa = (il: number) => spec.iswa === true && attn[il]!.kind !== 'full';
  const tokEmbd = lg.weight('token_embd.weight', [n, arch.vocabSize]);
  let inpL = lg.inpEmbd(tokEmbd);
  if (spec.embedScale) inpL = lg.cb(g.scale(inpL), 'inp_scaled');
  const pos = lg.inpPos();
  // build_attn_inp_kv / _iswa: inputs of the base cache, then of the SWA cache, then the rotations.
  const vGqaMax = Math.max(...attn.map((a) => a.numKvHeads * a.vHeadDim));
  const headOf = (sel: (il: number) => boolean) => {
    const a = attn.find((_, il) => sel(il)) ?? attn[0]!;
    return a;
  };
  const base = headOf((il) => !isSwa(il));
  const inpBase = lg.attnInpKv(p.nKv, vGqaMax, base.headDim, base.vHeadDim);
  let inpSwa: AttnInput | undefined;
  if (spec.iswa) {
    const swa = headOf(isSwa);
    inpSwa = lg.attnInpKv(p.nKvSwa, vGqaMax, swa.headDim, swa.vHeadDim, '_swa');
  }
  if (spec.posEmbd) {
    const posRows = g.getRows(lg.weight('position_embd.weight', [n, arch.learnedPositions]), pos, 'pos_embd');
    inpL = lg.cb(g.add(inpL, posRows), 'inpL');
  }
  const outIds = lg.inpOutIds();
  const bias = spec.normBias === true;
  for (let il = 0; il < nLayer; il++) {
    const a = attn[il]!;
    const s = attnShape(a);
    const w = lg.layerWeights(il);
    const normW = (name: string) => [w(`${name}.weight`, [n]), bias ? w(`${name}.bias`, [n]) : undefined] as const;
    let residual = inpL;
    let cur = inpL;
    if (!spec.noPreAttnNorm) cur = lg.buildNorm(inpL, ...normW('attn_norm'), spec.norm, 'attn_norm', il);
    const qDim = s.headK * s.nHead;
    const kvDim = s.headK * s.nHeadKv;
    let q: GgmlTensor;
    let k: GgmlTensor;
    let v: GgmlTensor;
    if (spec.qkNorm === 'full') {
      // olmo2: q/k norms over the whole projection, then the reshape.
      let q2 = lg.mm(w('attn_q.weight', [n, qDim]), cur, 'Qcur', il);
      let k2 = lg.mm(w('attn_k.weight', [n, kvDim]), cur, 'Kcur', il);
      const v2 = lg.mm(w('attn_v.weight', [n, s.headV * s.nHeadKv]), cur, 'Vcur', il);
      q2 = lg.buildNorm(q2, w('attn_q_norm.weight', [qDim]), undefined, 'rms', 'Qcur_normed', il);
      k2 = lg.buildNorm(k2, w('attn_k_norm.weight', [kvDim]), undefined, 'rms', 'Kcur_normed', il);
      q = g.reshape(q2, [s.headK, s.nHead, p.nTokens]);
      k = g.reshape(k2, [s.headK, s.nHeadKv, p.nTokens]);
      v = g.reshape(v2, [s.headV, s.nHeadKv, p.nTokens]);
    } else {
      const fused = a.fusedQkv !== undefined;
      const qkv = lg.buildQkv(
        cur,
        s,
        fused
          ? {
              wqkv: w('attn_qkv.weight', [n, qDim + 2 * kvDim]),
              ...(a.qkvBias ? { bqkv: w('attn_qkv.bias', [qDim + 2 * kvDim]) } : {}),
            }
          : qkvWeights(lg, il, s, a.qkvBias),
        il,
      );
      ({ q, k, v } = qkv);
      if (spec.qkNorm === 'per-head') {
        q = lg.buildNorm(q, w('attn_q_norm.weight', [s.headK]), undefined, 'rms', 'Qcur_normed', il);
      }
      if (!spec.noRope) q = lg.cb(g.rope(q, pos), 'Qcur', il);
      if (spec.qkNorm === 'per-head') {
        k = lg.buildNorm(k, w('attn_k_norm.weight', [s.headK]), undefined, 'rms', 'Kcur_normed', il);
      }
      if (!spec.noRope) k = lg.cb(g.rope(k, pos), 'Kcur', il);
    }
    if (spec.qkNorm === 'full') {
      q = lg.cb(g.rope(q, pos), 'Qcur', il);
      k = lg.cb(g.rope(k, pos), 'Kcur', il);
    }
    if (spec.qScale) q = lg.cb(g.scale(q), 'Qcur_scaled', il);
    const swa = isSwa(il);
    const inp = swa ? inpSwa! : inpBase;
    const cache = lg.layerCache(il, s, swa ? p.nKvSwa : p.nKv);
    cur = lg.buildAttn(
      inp,
      cache,
      s,
      w('attn_output.weight', [s.headV * s.nHead, n]),
      a.outBias ? w('attn_output.bias', [n]) : undefined,
      q,
      k,
      v,
      { softcap: spec.softcap === true, order: spec.iswa ? 'qkv' : 'qvk' },
      il,
    );
    if (il === nLayer - 1) {
      cur = g.getRows(cur, outIds);
      residual = g.getRows(residual, outIds);
    }
    if (spec.postNorms)
      cur = lg.buildNorm(cur, w('post_attention_norm.weight', [n]), undefined, 'rms', 'attn_post_norm', il);
    const ffnInp = lg.cb(g.add(cur, residual), 'ffn_inp', il);
    cur = ffnInp;
    if (!spec.noPreFfnNorm) cur = lg.buildNorm(ffnInp, ...normW('ffn_norm'), spec.norm, 'ffn_norm', il);
    const mlp = arch.layers[il]!.mlp;
    const ff = mlp.kind === 'moe' && spec.moeFfn ? 0 : ffnWidth(arch, il);
    const mb = mlp.kind === 'dense' && mlp.bias;
    cur =
      mlp.kind === 'moe' && spec.moeFfn
        ? spec.moeFfn(lg, cur, arch, il)
        : spec.ffn.fusedUp
          ? // phi3: one up projection of 2 n_ff, ggml_swiglu over its halves (LLM_FFN_SWIGLU, LLM_FFN_SEQ).
            lg.mm(
              w('ffn_down.weight', [ff, n]),
              lg.cb(g.glu(lg.mm(w('ffn_up.weight', [n, 2 * ff]), cur, 'ffn_up', il), undefined), 'ffn_swiglu', il),
              'ffn_down',
              il,
            )
          : lg.buildFfn(
              cur,
              {
                up: w('ffn_up.weight', [n, ff]),
                ...(mb ? { upB: w('ffn_up.bias', [ff]) } : {}),
                ...(spec.ffn.gate === 'par' ? { gate: w('ffn_gate.weight', [n, ff]) } : {}),
                down: w('ffn_down.weight', [ff, n]),
                ...(mb ? { downB: w('ffn_down.bias', [n]) } : {}),
              },
              spec.ffn.op,
              spec.ffn.gate,
              il,
            );
    if (spec.postNorms) cur = lg.buildNorm(cur, w('post_ffw_norm.weight', [n]), undefined, 'rms', 'ffn_post_norm');
    cur = lg.cb(spec.residualFirst ? g.add(ffnInp, cur) : g.add(cur, ffnInp), 'l_out', il);
    inpL = cur;
  }
  const norm = lg.buildNorm(
    inpL,
    lg.weight('output_norm.weight', [n]),
    bias ? lg.weight('output_norm.bias', [n]) : undefined,
    spec.norm,
    'result_norm',
  );
  let logits = lg.mm(lg.weight('output.weight', [n, arch.vocabSize]), norm, 'result_output');
  if (arch.outputBias) logits = lg.cb(g.add(logits, lg.weight('output.bias', [arch.vocabSize])), 'result_output');
  if (spec.softcap) {
    logits = lg.cb(g.scale(logits), 'result_output_scaled');
    logits = lg.cb(g.unary(logits), 'result_output_tanh');
    logits = lg.cb(g.scale(logits), 'result_output');
  }
  // llm_graph_result::set_outputs: t_embd and t_logits are graph outputs.
  g.setOutput(norm);
  g.setOutput(logits);
  g.expand(logits);
  return g.graph();
}

const GATED_SILU = { op: 'silu', gate: 'par' } as const;

/** src/models/llama.cpp's layer: RMSNorm, separate Q/K/V, RoPE, SwiGLU (a MoE builder adds `moeFfn`). */
export const LLAMA_SPEC: DenseSpec = { norm: 'rms', ffn: GATED_SILU };
const GATED_GELU = { op: 'gelu', gate: 'par' } as const;

/** Dense architectures by `general.architecture`, each citing its src/models/<arch>.cpp. */
export const DENSE_BUILDERS = {
  // src/models/llama.cpp (Mistral v0.1 converts to llama); MoE layers are the moe builder's.
  llama: (arch, p) => denseDecoder(arch, p, LLAMA_SPEC),
  // src/models/qwen2.cpp: llama's layer with Q/K/V biases (read from the architecture).
  qwen2: (arch, p) => denseDecoder(arch, p, { norm: 'rms', ffn: GATED_SILU }),
  // src/models/qwen3.cpp: per-head RMS q/k norms before RoPE.
  qwen3: (arch, p) => denseDecoder(arch, p, { norm: 'rms', qkNorm: 'per-head', ffn: GATED_SILU }),
  // src/models/phi3.cpp: fused qkv, Q scaled, fused gate-up with ggml_swiglu; SWA disabled (no iSWA input).
  phi3: (arch, p) =>
    denseDecoder(arch, p, {
      norm: 'rms',
      qScale: true,
      ffn: { op: 'silu', gate: 'seq', fusedUp: true },
      residualFirst: true,
    }),
  // src/models/gemma.cpp: embeddings scaled, Q scaled, GeGLU.
  gemma: (arch, p) => denseDecoder(arch, p, { norm: 'rms', embedScale: true, qScale: true, ffn: GATED_GELU }),
  // src/models/gemma2.cpp: iSWA, post norms, attention and final soft-capping.
  gemma2: (arch, p) =>
    denseDecoder(arch, p, {
      norm: 'rms',
      embedScale: true,
      qScale: true,
      postNorms: true,
      iswa: true,
      softcap: true,
      ffn: GATED_GELU,
    }),
  // src/models/gemma3.cpp: gemma2's layer with per-head q/k norms and no soft-capping.
  gemma3: (arch, p) =>
    denseDecoder(arch, p, {
      norm: 'rms',
      embedScale: true,
      qScale: true,
      qkNorm: 'per-head',
      postNorms: true,
      iswa: true,
      ffn: GATED_GELU,
    }),
  // src/models/olmo2.cpp: no pre-norms, q/k norms over the projections, post norms.
  olmo2: (arch, p) =>
    denseDecoder(arch, p, {
      norm: 'rms',
      noPreAttnNorm: true,
      noPreFfnNorm: true,
      qkNorm: 'full',
      postNorms: true,
      ffn: GATED_SILU,
    }),
  // src/models/gpt2.cpp: LayerNorm with biases, learned positions, fused qkv, no RoPE, GELU MLP.
  gpt2: (arch, p) =>
    denseDecoder(arch, p, {
      norm: 'layer',
      normBias: true,
      posEmbd: true,
      noRope: true,
      ffn: { op: 'gelu', gate: 'seq' },
    }),
} satisfies Record<string, ArchGraphBuilder>;
