import { describe, expect, it } from 'vitest';
import { type AllocPlan, planGraph } from './gallocr.js';
import { type GgmlTensor, GraphBuilder } from './graph.js';

// Hand-made graphs whose placement follows from ggml/src/ggml-alloc.c's rules, worked out by hand:
// sizes in bytes (f32 × 4), alignment 1 unless a test says otherwise. Nodes are expanded one by one so that
// the node order is the order written.
function graph() {
  const g = new GraphBuilder();
  const w = g.weight('w', 'F32', [1]);
  const t = (name: string, bytes: number, src: GgmlTensor[] = [w]) =>
    g.expand(g.op('OTHER', name, 'F32', [bytes / 4], src));
  return { g, w, t };
}
const at = (plan: AllocPlan, name: string): number => plan.placements!.find((p) => p.name === name)!.offset;
const plan1 = (g: GraphBuilder, alignment = 1) => planGraph(g.graph(), { alignment }, { trace: true });

describe('ggml-alloc planner (ggml_dyn_tallocr and ggml_gallocr rules)', () => {
  it('best fit: the smallest free block that holds the tensor, not the first or the last', () => {
    const { g, t } = graph();
    const a = t('A', 100); // [0, 100)
    const b = t('B', 20); // [100, 120)
    const c = t('C', 60); // [120, 180)
    const d = t('D', 20); // [180, 200)
    const e = t('E', 100); // [200, 300)
    const f = t('F', 20); // [300, 320)
    const x = t('X', 4, [a, c, e]); // [320, 324); holes of 100, 60 and 100 bytes
    t('G', 48, [b, d, f, x]); // all three hold it: the 60-byte one is the best fit
    expect(at(plan1(g), 'G')).toBe(120);
  });

  it('a tie between equal free blocks goes to the later one (`<=` in the search)', () => {
    const { g, t } = graph();
    const a = t('A', 100); // [0, 100)
    const b = t('B', 20); // [100, 120)
    const c = t('C', 100); // [120, 220)
    const d = t('D', 20); // [220, 240)
    const x = t('X', 4, [a, c]); // frees two holes of 100 bytes
    t('E', 48, [b, d, x]);
    expect(at(plan1(g), 'E')).toBe(120);
  });

  it('merges a freed block with its neighbours, so a larger tensor fits without growing the buffer', () => {
    const { g, t } = graph();
    const a = t('A', 40); // [0, 40)
    const b = t('B', 40); // [40, 80)
    const c = t('C', 8); // [80, 88)
    const x = t('X', 4, [a, b]); // [88, 92); A then B freed: one block [0, 80)
    t('E', 72, [c, x]);
    const plan = plan1(g);
    expect(at(plan, 'E')).toBe(0);
    expect(plan.bytes).toBe(92);
  });

  it('grows the last block when no other block fits, reusing its free start', () => {
    const { g, t } = graph();
    const a = t('A', 100);
    const b = t('B', 20);
    const c = t('C', 60);
    const d = t('D', 20);
    const x = t('X', 4, [a, c]);
    const e = t('E', 48, [b, d, x]); // [120, 168); B, D, X freed: [0, 120) and the open end from 168
    t('F', 200, [e]); // no inner block holds 200: the last block, from 168, grows the buffer to 368
    const plan = plan1(g);
    expect(at(plan, 'F')).toBe(168);
    expect(plan.bytes).toBe(368);
  });

  it('reuses a parent in place for an in-place op of the same layout whose parent has no other consumer', () => {
    const { g, t } = graph();
    const a = t('A', 40);
    const r = g.expand(g.rmsNorm(a, 'R'));
    t('S', 40, [r]);
    const plan = plan1(g);
    expect(at(plan, 'R')).toBe(0);
    expect(at(plan, 'S')).toBe(40);
    expect(plan.bytes).toBe(80);
  });

  it('does not reuse in place when the parent has another consumer, the op is not in-place, or the parent is an output', () => {
    {
      const { g, t } = graph();
      const a = t('A', 40);
      const r = g.expand(g.rmsNorm(a, 'R'));
      t('T', 4, [a, r]);
      expect(at(plan1(g), 'R')).toBe(40);
    }
    {
      const { g, t } = graph();
      const a = t('A', 40);
      g.expand(g.cont(a, a.ne, 'C'));
      expect(at(plan1(g), 'C')).toBe(40);
    }
    {
      const { g, t } = graph();
      const a = g.setOutput(t('A', 40));
      g.expand(g.rmsNorm(a, 'R'));
      expect(at(plan1(g), 'R')).toBe(40);
    }
  });

  it('keeps a view source allocated until the view has no consumer left', () => {
    const { g, t } = graph();
    const a = t('A', 40); // [0, 40)
    const v = g.expand(g.view(a, [5], [], 0, 'V')); // A's only child, but a view of A
    const x = t('X', 40); // A is still live: [40, 80)
    const y = t('Y', 4, [v, x]); // [80, 84); V's last consumer: A freed, then X
    t('Z', 40, [y]); // the merged [0, 80)
    const plan = plan1(g);
    expect(at(plan, 'X')).toBe(40);
    expect(at(plan, 'Z')).toBe(0);
    expect(plan.bytes).toBe(84);
  });

  it('never frees a graph output', () => {
    const { g, t } = graph();
    const a = g.setOutput(t('A', 40)); // [0, 40), never freed
    const b = t('B', 40, [a]); // [40, 80)
    const c = t('C', 40, [b]); // [80, 120); B freed after C
    t('D', 40, [c]); // the hole B left, not A's place
    const plan = plan1(g);
    expect(at(plan, 'D')).toBe(40);
    expect(plan.bytes).toBe(120);
  });

  it('allocates graph inputs (leafs) before any node, and frees an input after its last consumer', () => {
    const { g, t } = graph();
    const inp = g.input('inp', 'F32', [10]); // 40 bytes
    const a = t('A', 40, [inp]); // after the input: [40, 80)
    t('B', 40, [a]); // the input's place, freed after A
    const plan = plan1(g);
    expect(at(plan, 'inp')).toBe(0);
    expect(at(plan, 'A')).toBe(40);
    expect(at(plan, 'B')).toBe(0);
  });

  it('splits at the chunk limit and prefers the chunk whose last block needs no growth (reuse factor)', () => {
    const { g, t } = graph();
    const a = g.setOutput(t('A', 60)); // chunk 0 [0, 60); chunks hold 100 bytes
    const b = t('B', 90, [a]); // 40 bytes left in chunk 0: a new chunk, [0, 90) of chunk 1
    const x = t('X', 4, [b]); // both last blocks need 4 more bytes: the first chunk, [60, 64)
    t('C', 30, [x]); // B freed: chunk 1 holds 30 within its 90, chunk 0 would grow
    const plan = planGraph(g.graph(), { alignment: 1, maxChunkBytes: 100 }, { trace: true });
    const c = plan.placements!.find((p) => p.name === 'C')!;
    expect([c.chunk, c.offset]).toEqual([1, 0]);
    expect(plan.chunks).toEqual([64, 90]);
    expect(plan.bytes).toBe(154);
  });

  it('rounds each block up to the buffer alignment', () => {
    const { g, t } = graph();
    const a = t('A', 4);
    t('B', 4, [a]);
    const plan = plan1(g, 32);
    expect(at(plan, 'B')).toBe(32);
    expect(plan.bytes).toBe(64);
  });

  it('reports the tensors live at the peak', () => {
    const { g, t } = graph();
    const a = t('A', 40); // [0, 40)
    const b = t('B', 80, [a]); // [40, 120): the peak, with A live
    t('C', 8, [b]); // A's freed place
    const plan = plan1(g);
    expect(plan.bytes).toBe(120);
    expect(at(plan, 'C')).toBe(0);
    expect(plan.peak.map((p) => [p.name, p.offset, p.bytes])).toEqual([
      ['A', 0, 40],
      ['B', 40, 80],
    ]);
  });
});
