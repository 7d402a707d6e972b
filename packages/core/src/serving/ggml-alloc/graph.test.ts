import { describe, expect, it } from 'vitest';
import { GraphBuilder, isContiguous, tensorNbytes } from './graph.js';

describe('ggml graph builder (ggml/src/ggml.c)', () => {
  it('expand visits sources depth-first, left to right, and records ops as nodes and op NONE as leafs', () => {
    const g = new GraphBuilder();
    const w = g.weight('w', 'F32', [4, 4]);
    const x = g.input('x', 'F32', [4, 2]);
    const a = g.mulMat(w, x, 'a');
    const b = g.rmsNorm(x, 'b');
    const c = g.add(a, b, 'c');
    g.expand(c);
    g.expand(a); // already in the graph: nothing added
    const { nodes, leafs } = g.graph();
    expect(nodes.map((t) => t.name)).toEqual(['a', 'b', 'c']);
    expect(leafs.map((t) => t.name)).toEqual(['w', 'x']);
  });

  it('select puts every candidate in the graph (ggml_build_forward_select) and returns the chosen one', () => {
    const g = new GraphBuilder();
    const e = g.weight('e', 'F32', [8, 100]);
    const tok = g.input('tok', 'I32', [3]);
    const embd = g.input('embd', 'F32', [8, 3]);
    const rows = g.getRows(e, tok, 'rows');
    expect(g.select([rows, embd], 0)).toBe(rows);
    expect(g.graph().leafs.map((t) => t.name)).toEqual(['e', 'tok', 'embd']);
  });

  it('views point at their base tensor and carry strides; permutes are not contiguous', () => {
    const g = new GraphBuilder();
    const a = g.op('OTHER', 'a', 'F32', [8, 4, 2], []);
    const v = g.view(a, [8, 2, 2], [32, 128], 32);
    const p = g.permute(v, [0, 2, 1, 3]);
    expect(p.viewSrc).toBe(a);
    expect(p.viewOffset).toBe(32);
    expect(p.ne).toEqual([8, 2, 2, 1]);
    expect(isContiguous(a)).toBe(true);
    expect(isContiguous(p)).toBe(false);
    expect(tensorNbytes(a)).toBe(8 * 4 * 2 * 4);
    // ggml_mul_mat: f32 [a.ne1, b.ne1, b.ne2, b.ne3] whatever the weight type.
    const q = g.mulMat(g.weight('q', 'Q8_0', [64, 10]), g.input('x', 'F32', [64, 5]));
    expect([q.type, ...q.ne]).toEqual(['F32', 10, 5, 1, 1]);
    expect(tensorNbytes(g.weight('k', 'Q8_0', [64, 10]))).toBe(2 * 34 * 10);
  });
});
