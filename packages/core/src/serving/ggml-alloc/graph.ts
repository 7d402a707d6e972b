/**
 * A small ggml tensor graph: enough of ggml's tensor model (type, ne, nb, srcs, view_src, flags) for
 * ggml-alloc's planner, and a builder whose node order is the order ggml_build_forward_expand records.
 * Every op below re-derives the result shape, type and view relation of the ggml function it names
 * (ggml/src/ggml.c); none computes data.
 */
import { type GgmlTypeLayout, ggmlTypeLayout } from '../../model/ggml-types.js';

// Layouts by the exact spelling used here (ggmlTypeLayout normalizes case on every call; graphs ask often).
const LAYOUTS = new Map<string, GgmlTypeLayout>();
function layoutOf(type: string): GgmlTypeLayout {
  let l = LAYOUTS.get(type);
  if (!l) {
    l = ggmlTypeLayout(type);
    LAYOUTS.set(type, l);
  }
  return l;
}

/** ggml ops the planner distinguishes (ggml/include/ggml.h enum ggml_op, as ggml_op_name spells them). */
export type GgmlOp =
  | 'NONE'
  | 'ADD'
  | 'ADD_ID'
  | 'ADD1'
  | 'SUB'
  | 'MUL'
  | 'DIV'
  | 'SQR'
  | 'SQRT'
  | 'LOG'
  | 'SCALE'
  | 'FILL'
  | 'CLAMP'
  | 'NORM'
  | 'RMS_NORM'
  | 'GROUP_NORM'
  | 'L2_NORM'
  | 'MUL_MAT'
  | 'MUL_MAT_ID'
  | 'GET_ROWS'
  | 'SET_ROWS'
  | 'CPY'
  | 'CONT'
  | 'DUP'
  | 'RESHAPE'
  | 'VIEW'
  | 'PERMUTE'
  | 'TRANSPOSE'
  | 'ROPE'
  | 'SOFT_MAX'
  | 'FLASH_ATTN_EXT'
  | 'UNARY'
  | 'GLU'
  | 'CONCAT'
  | 'REPEAT'
  | 'SUM_ROWS'
  | 'ARGSORT'
  | 'TOP_K'
  | 'PAD'
  | 'DIAG_MASK_INF'
  | 'DIAG_MASK_ZERO'
  | 'SSM_CONV'
  | 'SSM_SCAN'
  | 'GATED_DELTA_NET'
  | 'CUMSUM'
  | 'TRI'
  | 'SOLVE_TRI'
  | 'EXP'
  | 'SOFTPLUS'
  | 'ARANGE'
  | 'OTHER';

/** ggml_tensor_flag (ggml/include/ggml.h): graph inputs and outputs. */
export const FLAG_INPUT = 1;
export const FLAG_OUTPUT = 2;

export type Dims = readonly [number, number, number, number];

/** One ggml tensor as the planner sees it. */
export interface GgmlTensor {
  readonly id: number;
  name: string;
  readonly op: GgmlOp;
  /** ggml type as ggml_type_name prints it, upper case (`F32`, `F16`, `I32`, `Q8_0`). */
  readonly type: string;
  readonly ne: Dims;
  readonly nb: Dims;
  /** Sources in ggml's src[] order (up to GGML_MAX_SRC = 10); a src may be the tensor itself (ggml_cast). */
  readonly src: (GgmlTensor | undefined)[];
  /** The base tensor this is a view of (ggml_new_tensor_impl folds a view of a view onto its base). */
  readonly viewSrc: GgmlTensor | undefined;
  readonly viewOffset: number;
  /** Memory that is not the compute buffer's: weights, the KV cache (t->data or t->buffer already set). */
  readonly external: boolean;
  flags: number;
}

/** A graph as ggml_cgraph holds it: nodes in execution order, then leafs in discovery order. */
export interface GgmlGraph {
  readonly nodes: readonly GgmlTensor[];
  readonly leafs: readonly GgmlTensor[];
}

const MAX_SRC = 10;

/**
 * ggml_row_size: bytes of `ne0` values of `type`.
 * @param type a ggml type name (`F32`, `Q8_0`)
 * @param ne0 values in the row (a multiple of the type's block size)
 * @returns bytes
 */
export function rowBytes(type: string, ne0: number): number {
  const t = layoutOf(type);
  return (t.blockBytes * ne0) / t.blockElements;
}

/**
 * ggml_nbytes (ggml/src/ggml.c): the byte span of a tensor with strides `nb`.
 * @param t type, shape and strides
 * @returns bytes (0 for an empty tensor)
 */
export function tensorNbytes(t: Pick<GgmlTensor, 'type' | 'ne' | 'nb'>): number {
  const layout = layoutOf(t.type);
  if (t.ne.some((n) => n <= 0)) return 0;
  let bytes: number;
  if (layout.blockElements === 1) {
    bytes = layout.blockBytes;
    for (let i = 0; i < 4; i++) bytes += (t.ne[i]! - 1) * t.nb[i]!;
  } else {
    bytes = (t.ne[0] * t.nb[0]) / layout.blockElements;
    for (let i = 1; i < 4; i++) bytes += (t.ne[i]! - 1) * t.nb[i]!;
  }
  return bytes;
}

function contiguousStrides(type: string, ne: Dims): Dims {
  const layout = layoutOf(type);
  const nb0 = layout.blockBytes;
  const nb1 = (nb0 * ne[0]) / layout.blockElements;
  const nb2 = nb1 * ne[1];
  return [nb0, nb1, nb2, nb2 * ne[2]];
}

function dims(ne: readonly number[]): Dims {
  return [ne[0] ?? 1, ne[1] ?? 1, ne[2] ?? 1, ne[3] ?? 1];
}

function nelements(t: GgmlTensor): number {
  return t.ne[0] * t.ne[1] * t.ne[2] * t.ne[3];
}

/**
 * ggml_is_contiguous: strides are those of a dense tensor of the same shape.
 * @param t a tensor
 * @returns whether its strides are dense
 */
export function isContiguous(t: GgmlTensor): boolean {
  const c = contiguousStrides(t.type, t.ne);
  for (let i = 0; i < 4; i++) if (t.ne[i]! > 1 && t.nb[i] !== c[i]) return false;
  return true;
}

/**
 * Builds a ggml graph op by op. Tensors are created as ggml creates them; nodes enter the graph only
 * through {@link GraphBuilder.expand} (ggml_build_forward_expand), which visits sources depth-first,
 * left to right, and appends each tensor after its sources: ops become nodes, op NONE becomes a leaf.
 */
export class GraphBuilder {
  private nextId = 0;
  private readonly visited = new Set<number>();
  private readonly nodes: GgmlTensor[] = [];
  private readonly leafs: GgmlTensor[] = [];

  private make(
    op: GgmlOp,
    type: string,
    ne: readonly number[],
    src: readonly (GgmlTensor | undefined)[],
    name: string,
    view?: { of: GgmlTensor; offset: number; nb?: Dims },
    external = false,
  ): GgmlTensor {
    const d = dims(ne);
    let viewSrc: GgmlTensor | undefined;
    let viewOffset = 0;
    if (view) {
      // ggml_new_tensor_impl: a view of a view points at the base tensor, offsets added.
      viewSrc = view.of.viewSrc ?? view.of;
      viewOffset = view.offset + (view.of.viewSrc ? view.of.viewOffset : 0);
    }
    const t: GgmlTensor = {
      id: this.nextId++,
      name,
      op,
      type: type === 'F32' || type === 'F16' ? type : type.toUpperCase(),
      ne: d,
      nb: view?.nb ?? contiguousStrides(type, d),
      src: [...src],
      viewSrc,
      viewOffset,
      external,
      flags: 0,
    };
    return t;
  }

  /** A weight (or any tensor in another buffer): a leaf the compute buffer never holds. */
  weight(name: string, type: string, ne: readonly number[]): GgmlTensor {
    return this.make('NONE', type, ne, [], name, undefined, true);
  }

  /** ggml_new_tensor: a fresh tensor (op NONE) to be filled by the caller, e.g. a graph input. */
  newTensor(name: string, type: string, ne: readonly number[]): GgmlTensor {
    return this.make('NONE', type, ne, [], name);
  }

  /** ggml_set_input. */
  setInput(t: GgmlTensor): GgmlTensor {
    t.flags |= FLAG_INPUT;
    return t;
  }

  /** ggml_set_output: never freed by the planner, never reused in place. */
  setOutput(t: GgmlTensor): GgmlTensor {
    t.flags |= FLAG_OUTPUT;
    return t;
  }

  /** A graph input: ggml_new_tensor + ggml_set_input. */
  input(name: string, type: string, ne: readonly number[]): GgmlTensor {
    return this.setInput(this.newTensor(name, type, ne));
  }

  /**
   * Any op by its result: `type` and `ne` of a new contiguous tensor, or with `inplaceOf` a view of that
   * tensor (ggml's *_inplace variants, ggml_view_tensor). For ops this class has no method for.
   */
  op(
    op: GgmlOp,
    name: string,
    type: string,
    ne: readonly number[],
    src: readonly (GgmlTensor | undefined)[],
    inplaceOf?: GgmlTensor,
  ): GgmlTensor {
    if (src.length > MAX_SRC) throw new Error(`ggml ops take at most ${MAX_SRC} sources`);
    if (inplaceOf)
      return this.make(op, inplaceOf.type, inplaceOf.ne, src, name, { of: inplaceOf, offset: 0, nb: inplaceOf.nb });
    return this.make(op, type, ne, src, name);
  }

  // ---- views (ggml_view_impl, ggml_reshape_*, ggml_permute, ggml_transpose) ----

  /** ggml_view_1d … ggml_view_4d: shape `ne`, byte strides nb1…nb3 (`nb`), at `offset` bytes into `a`. */
  view(
    a: GgmlTensor,
    ne: readonly number[],
    nb: readonly number[],
    offset: number,
    name = `${a.name} (view)`,
  ): GgmlTensor {
    const d = dims(ne);
    const nb1 = nb[0] ?? rowBytes(a.type, d[0]);
    const nb2 = nb[1] ?? nb1 * d[1];
    const strides: Dims = [layoutOf(a.type).blockBytes, nb1, nb2, nb[2] ?? nb2 * d[2]];
    return this.make('VIEW', a.type, d, [a], name, { of: a, offset, nb: strides });
  }

  /** ggml_reshape_*: same data, new shape (a must be contiguous). */
  reshape(a: GgmlTensor, ne: readonly number[], name = `${a.name} (reshaped)`): GgmlTensor {
    return this.make('RESHAPE', a.type, ne, [a], name, { of: a, offset: 0 });
  }

  /** ggml_permute: axis i of `a` becomes axis axes[i] of the result. */
  permute(a: GgmlTensor, axes: readonly [number, number, number, number], name = `${a.name} (permuted)`): GgmlTensor {
    const ne = [0, 0, 0, 0];
    const nb = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) {
      ne[axes[i]!] = a.ne[i]!;
      nb[axes[i]!] = a.nb[i]!;
    }
    return this.make('PERMUTE', a.type, ne, [a], name, { of: a, offset: 0, nb: nb as unknown as Dims });
  }

  /** ggml_transpose: swap the first two axes. */
  transpose(a: GgmlTensor, name = `${a.name} (transposed)`): GgmlTensor {
    const ne = [a.ne[1], a.ne[0], a.ne[2], a.ne[3]];
    const nb: Dims = [a.nb[1], a.nb[0], a.nb[2], a.nb[3]];
    return this.make('TRANSPOSE', a.type, ne, [a], name, { of: a, offset: 0, nb });
  }

  // ---- compute ops (new tensors unless stated) ----

  /** ggml_mul_mat: f32 [a.ne1, b.ne1, b.ne2, b.ne3]. */
  mulMat(a: GgmlTensor, b: GgmlTensor, name = 'mul_mat'): GgmlTensor {
    return this.make('MUL_MAT', 'F32', [a.ne[1], b.ne[1], b.ne[2], b.ne[3]], [a, b], name);
  }

  /** ggml_mul_mat_id: f32 [as.ne1, ids.ne0, b.ne2]. */
  mulMatId(as: GgmlTensor, b: GgmlTensor, ids: GgmlTensor, name = 'mul_mat_id'): GgmlTensor {
    return this.make('MUL_MAT_ID', 'F32', [as.ne[1], ids.ne[0], b.ne[2], 1], [as, b, ids], name);
  }

  /** Binary ops (ggml_add, ggml_mul, ggml_sub, ggml_div): a's shape and type (ggml_dup_tensor of a). */
  binary(op: 'ADD' | 'MUL' | 'SUB' | 'DIV', a: GgmlTensor, b: GgmlTensor, name = op.toLowerCase()): GgmlTensor {
    return this.make(op, a.type, a.ne, [a, b], name);
  }

  add(a: GgmlTensor, b: GgmlTensor, name = 'add'): GgmlTensor {
    return this.binary('ADD', a, b, name);
  }

  mul(a: GgmlTensor, b: GgmlTensor, name = 'mul'): GgmlTensor {
    return this.binary('MUL', a, b, name);
  }

  /** Ops whose result is a dense copy of a's shape and type (ggml_dup_tensor): norms, scale, unary, … */
  unaryLike(
    op: GgmlOp,
    a: GgmlTensor,
    src: readonly (GgmlTensor | undefined)[] = [a],
    name = op.toLowerCase(),
  ): GgmlTensor {
    return this.make(op, a.type, a.ne, src, name);
  }

  rmsNorm(a: GgmlTensor, name = 'rms_norm'): GgmlTensor {
    return this.unaryLike('RMS_NORM', a, [a], name);
  }

  norm(a: GgmlTensor, name = 'norm'): GgmlTensor {
    return this.unaryLike('NORM', a, [a], name);
  }

  scale(a: GgmlTensor, name = 'scale'): GgmlTensor {
    return this.unaryLike('SCALE', a, [a], name);
  }

  /** ggml_unary (gelu, silu, tanh, …): op UNARY. */
  unary(a: GgmlTensor, name = 'unary'): GgmlTensor {
    return this.unaryLike('UNARY', a, [a], name);
  }

  /** ggml_rope_ext: srcs a, positions b, frequency factors c. */
  rope(a: GgmlTensor, pos: GgmlTensor, factors?: GgmlTensor, name = 'rope'): GgmlTensor {
    return this.make('ROPE', a.type, a.ne, [a, pos, factors], name);
  }

  /** ggml_soft_max_ext (+ ggml_soft_max_add_sinks as src[2]). */
  softMaxExt(a: GgmlTensor, mask: GgmlTensor | undefined, sinks?: GgmlTensor, name = 'soft_max'): GgmlTensor {
    return this.make('SOFT_MAX', a.type, a.ne, sinks ? [a, mask, sinks] : [a, mask], name);
  }

  /** ggml_flash_attn_ext: f32 [v.ne0, q.ne2, q.ne1, q.ne3]; sinks as src[4] (ggml_flash_attn_ext_add_sinks). */
  flashAttnExt(
    q: GgmlTensor,
    k: GgmlTensor,
    v: GgmlTensor,
    mask: GgmlTensor | undefined,
    sinks?: GgmlTensor,
    name = 'fattn',
  ): GgmlTensor {
    return this.make('FLASH_ATTN_EXT', 'F32', [v.ne[0], q.ne[2], q.ne[1], q.ne[3]], [q, k, v, mask, sinks], name);
  }

  /** ggml_get_rows: f32 (i32 for an i32 table) [a.ne0, b.ne0, b.ne1, b.ne2]. */
  getRows(a: GgmlTensor, b: GgmlTensor, name = 'get_rows'): GgmlTensor {
    return this.make('GET_ROWS', a.type === 'I32' ? 'I32' : 'F32', [a.ne[0], b.ne[0], b.ne[1], b.ne[2]], [a, b], name);
  }

  /** ggml_set_rows: a view of the destination `a`; srcs (b values, c indices, a). */
  setRows(a: GgmlTensor, b: GgmlTensor, c: GgmlTensor, name = 'set_rows'): GgmlTensor {
    return this.make('SET_ROWS', a.type, a.ne, [b, c, a], name, { of: a, offset: 0, nb: a.nb });
  }

  /** ggml_cpy: a view of the destination b; srcs (a, b). */
  cpy(a: GgmlTensor, b: GgmlTensor, name = `${b.name} (copy of ${a.name})`): GgmlTensor {
    return this.make('CPY', b.type, b.ne, [a, b], name, { of: b, offset: 0, nb: b.nb });
  }

  /** ggml_cast: a new tensor of `type`, op CPY, whose src[1] is itself. */
  cast(a: GgmlTensor, type: string, name = `${a.name} (copy)`): GgmlTensor {
    const t = this.make('CPY', type, a.ne, [a], name);
    t.src[1] = t;
    return t;
  }

  /** ggml_cont / ggml_cont_Nd: a dense copy, optionally reshaped to `ne`. */
  cont(a: GgmlTensor, ne: readonly number[] = a.ne, name = `${a.name} (cont)`): GgmlTensor {
    return this.make('CONT', a.type, ne, [a], name);
  }

  /** ggml_glu / ggml_*glu_split: with b, a's shape; without, half of a's rows. */
  glu(a: GgmlTensor, b: GgmlTensor | undefined, name = 'glu'): GgmlTensor {
    const ne = b ? a.ne : [a.ne[0] / 2, a.ne[1], a.ne[2], a.ne[3]];
    return this.make('GLU', a.type, ne, [a, b], name);
  }

  /** ggml_concat along `dim`. */
  concat(a: GgmlTensor, b: GgmlTensor, dim: number, name = 'concat'): GgmlTensor {
    const ne = [...a.ne];
    ne[dim] = a.ne[dim]! + b.ne[dim]!;
    return this.make('CONCAT', a.type, ne, [a, b], name);
  }

  /** ggml_pad: each axis grown by p[i]. */
  pad(a: GgmlTensor, p: readonly number[], name = 'pad'): GgmlTensor {
    return this.make(
      'PAD',
      a.type,
      a.ne.map((n, i) => n + (p[i] ?? 0)),
      [a],
      name,
    );
  }

  /** Elements of a tensor. */
  nelements(t: GgmlTensor): number {
    return nelements(t);
  }

  // ---- graph construction (ggml/src/ggml.c ggml_visit_parents_graph) ----

  private visit(t: GgmlTensor): void {
    if (this.visited.has(t.id)) return;
    this.visited.add(t.id);
    for (const s of t.src) if (s && s !== t) this.visit(s);
    if (t.op === 'NONE') this.leafs.push(t);
    else this.nodes.push(t);
  }

  /** ggml_build_forward_expand: append t and every source not yet in the graph. */
  expand(t: GgmlTensor): GgmlTensor {
    this.visit(t);
    return t;
  }

  /**
   * ggml_build_forward_select: every candidate enters the graph (so an unused input stays allocated);
   * returns the selected one.
   */
  select(ts: readonly GgmlTensor[], idx: number): GgmlTensor {
    for (const t of ts) this.visit(t);
    return ts[idx]!;
  }

  /** The graph built so far. */
  graph(): GgmlGraph {
    return { nodes: [...this.nodes], leafs: [...this.leafs] };
  }
}
