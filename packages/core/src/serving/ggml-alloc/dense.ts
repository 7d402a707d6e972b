/**
 * Reserve graphs of llama.cpp's dense architectures, each following its src/models/<arch>.cpp: the
 * layer loop over {@link LlmGraph}'s shared pieces, in the order the C++ builds them.
 */
import type { Architecture, SoftmaxAttentionSpec } from '../../model/architecture.js';
import { isSoftmaxAttention } from '../../model/architecture.js';
import type { GgmlTensor } from './graph.js';
import { type ArchGraphBuilder, type AttnShape, type GraphReserveParams, LlmGraph } from './llm-graph.js';

function softmaxLayers(arch: Architecture): SoftmaxAttentionSpec[] {
  return arch.layers.map((l, i) => {
    if (!isSoftmaxAttention(l.attention)) throw new Error(`layer ${i} of ${arch.family} has no softmax attention`);
    return l.attention;
  });
}

function shapeOf(a: SoftmaxAttentionSpec): AttnShape {
  return { nHead: a.numHeads, nHeadKv: a.numKvHeads, headK: a.headDim, headV: a.vHeadDim };
}

function ffnWidth(arch: Architecture, il: number): number {
  const m = arch.layers[il]!.mlp;
  if (m.kind !== 'dense') throw new Error(`layer ${il} of ${arch.family} is not dense`);
  return m.intermediateSize;
}

/** The inputs every dense decoder starts with: embeddings, positions, the KV attention input, out ids. */
function start(arch: Architecture, p: GraphReserveParams, attn: SoftmaxAttentionSpec[]) {
  const lg = new LlmGraph(p, arch.hiddenSize);
  const n = arch.hiddenSize;
  const tokEmbd = lg.weight('token_embd.weight', [n, arch.vocabSize]);
  const inpL = lg.inpEmbd(tokEmbd);
  const pos = lg.inpPos();
  const a0 = attn[0]!;
  const vGqaMax = Math.max(...attn.map((a) => a.numKvHeads * a.vHeadDim));
  const inp = lg.attnInpKv(p.nKv, vGqaMax, a0.headDim, a0.vHeadDim);
  const outIds = lg.inpOutIds();
  return { lg, tokEmbd, inpL, pos, inp, outIds };
}

/** The output head: final norm (an output: t_embd) and the logits (an output: t_logits), expanded. */
function finish(lg: LlmGraph, arch: Architecture, cur: GgmlTensor, kind: 'rms' | 'layer', bias: boolean): void {
  const n = arch.hiddenSize;
  const norm = lg.buildNorm(
    cur,
    lg.weight('output_norm.weight', [n]),
    bias ? lg.weight('output_norm.bias', [n]) : undefined,
    kind,
    'result_norm',
  );
  let logits = lg.mm(lg.weight('output.weight', [n, arch.vocabSize]), norm, 'result_output');
  if (arch.outputBias) logits = lg.cb(lg.g.add(logits, lg.weight('output.bias', [arch.vocabSize])), 'result_output');
  lg.g.setOutput(norm);
  lg.g.setOutput(logits);
  lg.g.expand(logits);
}

/**
 * src/models/llama.cpp (also Mistral v0.1, which converts to `llama`): RMSNorm, Q/K/V, RoPE, attention,
 * residual, RMSNorm, SwiGLU FFN, residual; the last layer keeps only the output rows.
 */
const llama: ArchGraphBuilder = (arch, p) => {
  const attn = softmaxLayers(arch);
  const { lg, inpL: first, pos, inp, outIds } = start(arch, p, attn);
  const g = lg.g;
  const n = arch.hiddenSize;
  const nLayer = arch.layers.length;
  let inpL = first;
  for (let il = 0; il < nLayer; il++) {
    const a = attn[il]!;
    const s = shapeOf(a);
    const w = (name: string, ne: readonly number[]) => lg.weight(`blk.${il}.${name}`, ne);
    let inpSA = inpL;
    let cur = lg.buildNorm(inpL, w('attn_norm.weight', [n]), undefined, 'rms', 'attn_norm', il);
    const qkv = lg.buildQkv(
      cur,
      s,
      {
        wq: w('attn_q.weight', [n, s.headK * s.nHead]),
        wk: w('attn_k.weight', [n, s.headK * s.nHeadKv]),
        wv: w('attn_v.weight', [n, s.headV * s.nHeadKv]),
        ...(a.qkvBias
          ? {
              bq: w('attn_q.bias', [s.headK * s.nHead]),
              bk: w('attn_k.bias', [s.headK * s.nHeadKv]),
              bv: w('attn_v.bias', [s.headV * s.nHeadKv]),
            }
          : {}),
      },
      il,
    );
    const q = lg.cb(g.rope(qkv.q, pos), 'Qcur', il);
    const k = lg.cb(g.rope(qkv.k, pos), 'Kcur', il);
    const cache = lg.layerCache(il, s, p.nKv);
    cur = lg.buildAttn(
      inp,
      cache,
      s,
      w('attn_output.weight', [s.headV * s.nHead, n]),
      a.outBias ? w('attn_output.bias', [n]) : undefined,
      q,
      k,
      qkv.v,
      {},
      il,
    );
    if (il === nLayer - 1) {
      cur = g.getRows(cur, outIds);
      inpSA = g.getRows(inpSA, outIds);
    }
    const ffnInp = lg.cb(g.add(cur, inpSA), 'ffn_inp', il);
    cur = lg.buildNorm(ffnInp, w('ffn_norm.weight', [n]), undefined, 'rms', 'ffn_norm', il);
    const ff = ffnWidth(arch, il);
    cur = lg.buildFfn(
      cur,
      { up: w('ffn_up.weight', [n, ff]), gate: w('ffn_gate.weight', [n, ff]), down: w('ffn_down.weight', [ff, n]) },
      'silu',
      'par',
      il,
    );
    cur = lg.cb(g.add(cur, ffnInp), 'l_out', il);
    inpL = cur;
  }
  finish(lg, arch, inpL, 'rms', false);
  return g.graph();
};

/** Dense architectures by `general.architecture`. */
export const DENSE_BUILDERS = {
  llama,
} satisfies Record<string, ArchGraphBuilder>;
