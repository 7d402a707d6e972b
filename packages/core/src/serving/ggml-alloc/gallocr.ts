/**
 * ggml-alloc's graph allocator (ggml/src/ggml-alloc.c, ggml_gallocr_*), re-derived: it walks a graph
 * once, places each tensor with the dynamic allocator's best-fit search over free blocks, reuses a
 * parent's memory in place where the op allows it, and frees a tensor after its last consumer. The
 * compute buffer is the high-water mark of that walk. Pure and deterministic.
 */
import { FLAG_INPUT, FLAG_OUTPUT, type GgmlGraph, type GgmlOp, type GgmlTensor, tensorNbytes } from './graph.js';

/** What the planner needs of a ggml buffer type (ggml-backend-impl.h ggml_backend_buffer_type_i). */
export interface PlannerBufferType {
  /** ggml_backend_buft_get_alignment: every block is a multiple of this (a power of two). */
  alignment: number;
  /** ggml_backend_buft_get_max_size (default unbounded): the size at which a new chunk starts. */
  maxChunkBytes?: number;
  /** ggml_backend_buft_get_alloc_size (default ggml_nbytes). */
  allocBytes?: (t: GgmlTensor) => number;
}

/** A tensor live in the buffer when it reached its final size. */
export interface LiveTensor {
  name: string;
  op: GgmlOp;
  bytes: number;
  offset: number;
  chunk: number;
}

/** Result of {@link planGraph}. */
export interface AllocPlan {
  /** Sum of the chunks' high-water marks: what ggml_gallocr_reserve_n sizes the buffer to. */
  bytes: number;
  chunks: number[];
  /** The tensors live when the last chunk-growing allocation happened (by offset). */
  peak: LiveTensor[];
  /** With `trace`: where each allocated tensor was placed, in allocation order. */
  placements?: LiveTensor[];
}

/** ggml_op_can_inplace (ggml/src/ggml-alloc.c): ops whose result may take a parent's memory. */
const INPLACE_OPS = new Set<GgmlOp>([
  'FILL',
  'SCALE',
  'DIAG_MASK_ZERO',
  'DIAG_MASK_INF',
  'ADD',
  'ADD_ID',
  'ADD1',
  'SUB',
  'MUL',
  'DIV',
  'SQR',
  'SQRT',
  'LOG',
  'UNARY',
  'ROPE',
  'RMS_NORM',
  'CLAMP',
  'SOFT_MAX',
]);

/** A size the last block of a chunk never runs out of (ggml uses SIZE_MAX / 2). */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

interface FreeBlock {
  offset: number;
  size: number;
}

interface Chunk {
  blocks: FreeBlock[];
  maxSize: number;
}

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** ggml_dyn_tallocr: free blocks per chunk, kept sorted by offset; the last block is the open end. */
class DynAllocator {
  readonly chunks: Chunk[] = [];
  constructor(
    readonly alignment: number,
    readonly maxChunk: number,
  ) {}

  // ggml_dyn_tallocr_new_chunk: one free block of max(min, max_chunk_size); the 16th chunk is unbounded.
  private newChunk(min: number): number {
    if (this.chunks.length >= 16) return -1;
    const size = this.chunks.length === 15 ? UNBOUNDED : Math.max(min, this.maxChunk);
    this.chunks.push({ blocks: [{ offset: 0, size }], maxSize: 0 });
    return this.chunks.length - 1;
  }

  /** ggml_dyn_tallocr_alloc. @returns true when a chunk's high-water mark grew */
  alloc(bytes: number): { chunk: number; offset: number; grew: boolean } {
    const size = alignUp(bytes, this.alignment);
    let bestChunk = -1;
    let bestBlock = -1;
    // Best fit among the blocks before each chunk's last; `<=` lets a later block of equal size win.
    for (let c = 0; c < this.chunks.length; c++) {
      const blocks = this.chunks[c]!.blocks;
      let bestSize = Number.POSITIVE_INFINITY;
      for (let i = 0; i < blocks.length - 1; i++) {
        const b = blocks[i]!;
        if (b.size >= size && b.size <= bestSize) {
          bestChunk = c;
          bestBlock = i;
          bestSize = b.size;
        }
      }
    }
    if (bestBlock === -1) {
      // Else a chunk's last block, preferring one that needs no growth and leaves least unused.
      let bestReuse = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < this.chunks.length; c++) {
        const chunk = this.chunks[c]!;
        if (chunk.blocks.length === 0) continue;
        const last = chunk.blocks.length - 1;
        const b = chunk.blocks[last]!;
        const reuse = chunk.maxSize - b.offset - size;
        const betterReuse = bestReuse < 0 && reuse > bestReuse;
        const betterFit = reuse >= 0 && reuse < bestReuse;
        if (b.size >= size && (betterReuse || betterFit)) {
          bestChunk = c;
          bestBlock = last;
          bestReuse = reuse;
        }
      }
    }
    if (bestBlock === -1) {
      bestChunk = this.newChunk(size);
      bestBlock = 0;
      if (bestChunk === -1) throw new Error('ggml-alloc: out of chunks');
    }
    const chunk = this.chunks[bestChunk]!;
    const block = chunk.blocks[bestBlock]!;
    const offset = block.offset;
    block.offset += size;
    block.size -= size;
    if (block.size === 0) chunk.blocks.splice(bestBlock, 1);
    const grew = offset + size > chunk.maxSize;
    if (grew) chunk.maxSize = offset + size;
    return { chunk: bestChunk, offset, grew };
  }

  /** ggml_dyn_tallocr_free_bytes: merge with a neighbour block where they touch, else insert sorted. */
  free(chunkIndex: number, offset: number, bytes: number): void {
    const size = alignUp(bytes, this.alignment);
    const blocks = this.chunks[chunkIndex]!.blocks;
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      if (b.offset + b.size === offset) {
        b.size += size;
        const next = blocks[i + 1];
        if (next && b.offset + b.size === next.offset) {
          b.size += next.size;
          blocks.splice(i + 1, 1);
        }
        return;
      }
      if (offset + size === b.offset) {
        b.offset = offset;
        b.size += size;
        const prev = blocks[i - 1];
        if (prev && prev.offset + prev.size === b.offset) {
          prev.size += b.size;
          blocks.splice(i, 1);
        }
        return;
      }
    }
    let at = 0;
    while (at < blocks.length && blocks[at]!.offset < offset) at++;
    blocks.splice(at, 0, { offset, size });
  }
}

interface HashNode {
  children: number;
  views: number;
  allocated: boolean;
  chunk: number;
  offset: number;
}

function sameLayout(a: GgmlTensor, b: GgmlTensor): boolean {
  if (a.type !== b.type) return false;
  for (let i = 0; i < 4; i++) if (a.ne[i] !== b.ne[i] || a.nb[i] !== b.nb[i]) return false;
  return true;
}

/**
 * Plans one graph into one buffer type as ggml_gallocr_reserve_n does with a single buffer (a CPU-only
 * graph is one split: ggml-backend.cpp ggml_backend_sched_split_graph).
 * @param graph nodes and leafs in ggml's order
 * @param buft the buffer type's alignment, chunk limit and allocation size rule
 * @param opts `trace` to return every placement
 * @returns the buffer size in bytes and the tensors live at the peak
 */
export function planGraph(graph: GgmlGraph, buft: PlannerBufferType, opts: { trace?: boolean } = {}): AllocPlan {
  const placements: LiveTensor[] | undefined = opts.trace ? [] : undefined;
  const sizeOf = buft.allocBytes ?? tensorNbytes;
  const alloc = new DynAllocator(buft.alignment, Math.min(buft.maxChunkBytes ?? UNBOUNDED, UNBOUNDED));
  const hash = new Map<number, HashNode>();
  const live = new Map<number, GgmlTensor>();
  let peak: LiveTensor[] = [];
  const hn = (t: GgmlTensor): HashNode => {
    let h = hash.get(t.id);
    if (!h) {
      h = { children: 0, views: 0, allocated: false, chunk: -1, offset: 0 };
      hash.set(t.id, h);
    }
    return h;
  };
  const snapshot = (): void => {
    peak = [...live.values()]
      .map((t) => {
        const h = hn(t);
        return { name: t.name, op: t.op, bytes: sizeOf(t), offset: h.offset, chunk: h.chunk };
      })
      .sort((a, b) => a.chunk - b.chunk || a.offset - b.offset);
  };
  // ggml_gallocr_is_allocated: external memory, or placed by this planner.
  const isAllocated = (t: GgmlTensor): boolean => t.external || hn(t).allocated;
  const freeExtra = (node: GgmlTensor, parent: GgmlTensor, p: HashNode): void => {
    // ggml_gallocr_free_extra_space: a smaller in-place result hands back the parent's tail.
    const parentSize = alignUp(sizeOf(parent), alloc.alignment);
    const nodeSize = alignUp(sizeOf(node), alloc.alignment);
    if (parentSize > nodeSize) alloc.free(p.chunk, p.offset + nodeSize, parentSize - nodeSize);
  };
  const allocate = (t: GgmlTensor): void => {
    // ggml_gallocr_allocate_node: views and external tensors take no memory here.
    if (isAllocated(t) || t.viewSrc) return;
    const h = hn(t);
    h.allocated = true;
    if (INPLACE_OPS.has(t.op)) {
      for (const parent of t.src) {
        if (!parent) continue;
        if (!hn(parent).allocated) continue; // external, a view, or freed
        if (parent.flags & FLAG_OUTPUT || (parent.viewSrc && parent.viewSrc.flags & FLAG_OUTPUT)) continue;
        if (!sameLayout(t, parent)) continue;
        const p = hn(parent);
        if (p.children === 1 && p.views === 0) {
          // A view parent is never allocated by the planner, so only a real tensor is taken over.
          h.chunk = p.chunk;
          h.offset = p.offset;
          placements?.push({ name: t.name, op: t.op, bytes: sizeOf(t), offset: p.offset, chunk: p.chunk });
          p.allocated = false;
          live.delete(parent.id);
          live.set(t.id, t);
          freeExtra(t, parent, p);
          return;
        }
      }
    }
    const a = alloc.alloc(sizeOf(t));
    h.chunk = a.chunk;
    h.offset = a.offset;
    placements?.push({ name: t.name, op: t.op, bytes: sizeOf(t), offset: a.offset, chunk: a.chunk });
    live.set(t.id, t);
    if (a.grew) snapshot();
  };
  const free = (t: GgmlTensor): void => {
    // ggml_gallocr_free_node: graph outputs are never freed.
    if (t.flags & FLAG_OUTPUT) return;
    const h = hn(t);
    alloc.free(h.chunk, h.offset, sizeOf(t));
    h.allocated = false;
    live.delete(t.id);
  };

  // ggml_gallocr_alloc_graph_impl: leafs first, then children/view counts with explicit inputs.
  for (const leaf of graph.leafs) allocate(leaf);
  for (const node of graph.nodes) {
    if (node.viewSrc && node.op !== 'NONE') hn(node.viewSrc).views += 1;
    if (node.flags & FLAG_INPUT) allocate(node);
    for (const s of node.src) {
      if (!s) continue;
      hn(s).children += 1;
      if (s.flags & FLAG_INPUT) allocate(s);
    }
  }
  for (const node of graph.nodes) {
    for (const s of node.src) if (s) allocate(s);
    allocate(node);
    for (const parent of node.src) {
      if (!parent) continue;
      const p = hn(parent);
      p.children -= 1;
      if (p.children !== 0 || p.views !== 0) continue;
      if (parent.viewSrc) {
        const v = hn(parent.viewSrc);
        v.views -= 1;
        if (v.views === 0 && v.children === 0 && v.allocated) free(parent.viewSrc);
      } else if (p.allocated) free(parent);
    }
  }
  const chunks = alloc.chunks.map((c) => c.maxSize);
  return { bytes: chunks.reduce((s, x) => s + x, 0), chunks, peak, ...(placements ? { placements } : {}) };
}
