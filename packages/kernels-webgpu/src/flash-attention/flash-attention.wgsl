// Flash attention (FlashAttention-2, Dao 2023, arXiv:2307.08691, algorithms 1 and 2) over
// [BH, SEQ, HEAD_DIM] tensors. A workgroup owns BLOCK_Q rows, one invocation per row; key/value
// tiles of BLOCK_K rows pass through workgroup memory and the softmax is computed online (running
// max m and sum l), so no SEQ × SEQ matrix exists anywhere: the only extra buffer is the f32
// log-sum-exp per row that the backward pass needs. The backward pass recomputes P tile by tile:
// one kernel accumulates dQ per query row, another dK and dV per key row (no float atomics).
// The runner prepends `alias T` and the constants BH, SEQ, HEAD_DIM, SCALE, CAUSAL, BLOCK_Q, BLOCK_K.

@group(0) @binding(0) var<storage, read> q: array<T>;
@group(0) @binding(1) var<storage, read> k: array<T>;
@group(0) @binding(2) var<storage, read> v: array<T>;
@group(0) @binding(3) var<storage, read_write> o: array<T>;
@group(0) @binding(4) var<storage, read_write> lse: array<f32>;
@group(0) @binding(5) var<storage, read> dout: array<T>;
@group(0) @binding(6) var<storage, read_write> rowdot: array<f32>;
@group(0) @binding(7) var<storage, read_write> dq: array<T>;
@group(0) @binding(8) var<storage, read_write> dk: array<T>;
@group(0) @binding(9) var<storage, read_write> dv: array<T>;

// Sequence length and head dim as run-time values (equal to SEQ and HEAD_DIM), as loop bounds, so
// that a compiler need not unroll nested constant-count loops.
fn dims() -> vec2u {
  let seq = arrayLength(&lse) / BH;
  return vec2u(seq, arrayLength(&q) / (BH * seq));
}

// Scores of masked or padding positions; below any real score, and exp(NEG - m) is 0.
const NEG: f32 = -3.0e38;

var<workgroup> tile_a: array<f32, BLOCK_K * HEAD_DIM>;
var<workgroup> tile_b: array<f32, BLOCK_K * HEAD_DIM>;
var<workgroup> tile_lse: array<f32, BLOCK_K>;
var<workgroup> tile_dot: array<f32, BLOCK_K>;

// Rows [r0, r0 + BLOCK_K) of K and V of head `base` into tile_a and tile_b (zeros past SEQ).
fn load_kv(lid: u32, base: u32, r0: u32) {
  for (var e = lid; e < BLOCK_K * HEAD_DIM; e += BLOCK_Q) {
    let live = r0 + e / HEAD_DIM < SEQ;
    tile_a[e] = select(0.0, f32(k[base + r0 * HEAD_DIM + e]), live);
    tile_b[e] = select(0.0, f32(v[base + r0 * HEAD_DIM + e]), live);
  }
}

// The same for Q and dO (the backward pass's query tiles).
fn load_qdo(lid: u32, base: u32, r0: u32) {
  for (var e = lid; e < BLOCK_K * HEAD_DIM; e += BLOCK_Q) {
    let live = r0 + e / HEAD_DIM < SEQ;
    tile_a[e] = select(0.0, f32(q[base + r0 * HEAD_DIM + e]), live);
    tile_b[e] = select(0.0, f32(dout[base + r0 * HEAD_DIM + e]), live);
  }
}

@compute @workgroup_size(BLOCK_Q)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let bh = wid.y;
  let q0 = wid.x * BLOCK_Q;
  let i = q0 + lid;
  let live = i < SEQ;
  let base = bh * SEQ * HEAD_DIM;
  let dm = dims();
  let hd = dm.y;
  var qi: array<f32, HEAD_DIM>;
  var acc: array<f32, HEAD_DIM>;
  var s: array<f32, BLOCK_K>;
  if (live) {
    for (var c = 0u; c < hd; c++) { qi[c] = f32(q[base + i * HEAD_DIM + c]) * SCALE; }
  }
  var m = NEG;
  var l = 0.0;
  let kend = select(dm.x, min(dm.x, q0 + BLOCK_Q), CAUSAL);
  for (var k0 = 0u; k0 < kend; k0 += BLOCK_K) {
    load_kv(lid, base, k0);
    workgroupBarrier();
    // Scores of the tile, its max, then one rescale of the running sum and output (algorithm 1, lines 9–10).
    let nk = min(BLOCK_K, dm.x - k0);
    var bmax = NEG;
    for (var jj = 0u; jj < nk; jj++) {
      let j = k0 + jj;
      var x = NEG;
      if (live && !(CAUSAL && j > i)) {
        x = 0.0;
        for (var c = 0u; c < hd; c++) { x += qi[c] * tile_a[jj * HEAD_DIM + c]; }
      }
      s[jj] = x;
      bmax = max(bmax, x);
    }
    if (bmax > NEG) {
      let mnew = max(m, bmax);
      let corr = exp(m - mnew);
      l *= corr;
      for (var c = 0u; c < hd; c++) { acc[c] *= corr; }
      for (var jj = 0u; jj < nk; jj++) {
        if (s[jj] > NEG) {
          let pj = exp(s[jj] - mnew);
          l += pj;
          for (var c = 0u; c < hd; c++) { acc[c] += pj * tile_b[jj * HEAD_DIM + c]; }
        }
      }
      m = mnew;
    }
    workgroupBarrier();
  }
  if (live) {
    for (var c = 0u; c < hd; c++) { o[base + i * HEAD_DIM + c] = T(acc[c] / l); }
    lse[bh * SEQ + i] = m + log(l);
  }
}

// D_i = Σ_c dO[i, c] O[i, c] (FlashAttention-2 algorithm 2, line 4), one invocation per row.
@compute @workgroup_size(BLOCK_Q)
fn backward_rowdot(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.y * SEQ + wid.x * BLOCK_Q + lid;
  if (wid.x * BLOCK_Q + lid >= SEQ) { return; }
  var acc = 0.0;
  for (var c = 0u; c < HEAD_DIM; c++) { acc += f32(dout[row * HEAD_DIM + c]) * f32(o[row * HEAD_DIM + c]); }
  rowdot[row] = acc;
}

// dQ_i = scale · Σ_j P_ij (dP_ij − D_i) K_j with P_ij = exp(scale · q_i·k_j − lse_i), per query row.
@compute @workgroup_size(BLOCK_Q)
fn backward_dq(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let bh = wid.y;
  let q0 = wid.x * BLOCK_Q;
  let i = q0 + lid;
  let live = i < SEQ;
  let base = bh * SEQ * HEAD_DIM;
  let dm = dims();
  let hd = dm.y;
  var qi: array<f32, HEAD_DIM>;
  var doi: array<f32, HEAD_DIM>;
  var acc: array<f32, HEAD_DIM>;
  var li = 0.0;
  var di = 0.0;
  if (live) {
    for (var c = 0u; c < hd; c++) {
      qi[c] = f32(q[base + i * HEAD_DIM + c]) * SCALE;
      doi[c] = f32(dout[base + i * HEAD_DIM + c]);
    }
    li = lse[bh * SEQ + i];
    di = rowdot[bh * SEQ + i];
  }
  let kend = select(dm.x, min(dm.x, q0 + BLOCK_Q), CAUSAL);
  for (var k0 = 0u; k0 < kend; k0 += BLOCK_K) {
    load_kv(lid, base, k0);
    workgroupBarrier();
    for (var jj = 0u; jj < min(BLOCK_K, dm.x - k0); jj++) {
      let j = k0 + jj;
      if (live && j < SEQ && !(CAUSAL && j > i)) {
        var x = 0.0;
        var dp = 0.0;
        for (var c = 0u; c < hd; c++) {
          x += qi[c] * tile_a[jj * HEAD_DIM + c];
          dp += doi[c] * tile_b[jj * HEAD_DIM + c];
        }
        let ds = exp(x - li) * (dp - di);
        for (var c = 0u; c < hd; c++) { acc[c] += ds * tile_a[jj * HEAD_DIM + c]; }
      }
    }
    workgroupBarrier();
  }
  if (live) {
    for (var c = 0u; c < hd; c++) { dq[base + i * HEAD_DIM + c] = T(acc[c] * SCALE); }
  }
}

// dV_j = Σ_i P_ij dO_i and dK_j = scale · Σ_i P_ij (dP_ij − D_i) Q_i, per key row; query tiles of
// Q and dO (with lse and D) pass through workgroup memory.
@compute @workgroup_size(BLOCK_Q)
fn backward_dkv(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let bh = wid.y;
  let j0 = wid.x * BLOCK_Q;
  let j = j0 + lid;
  let live = j < SEQ;
  let base = bh * SEQ * HEAD_DIM;
  let dm = dims();
  let hd = dm.y;
  var kj: array<f32, HEAD_DIM>;
  var vj: array<f32, HEAD_DIM>;
  var gk: array<f32, HEAD_DIM>;
  var gv: array<f32, HEAD_DIM>;
  if (live) {
    for (var c = 0u; c < hd; c++) {
      kj[c] = f32(k[base + j * HEAD_DIM + c]) * SCALE;
      vj[c] = f32(v[base + j * HEAD_DIM + c]);
    }
  }
  // Causal: queries before this block's first key see none of its keys.
  let istart = select(0u, (j0 / BLOCK_K) * BLOCK_K, CAUSAL);
  for (var i0 = istart; i0 < dm.x; i0 += BLOCK_K) {
    load_qdo(lid, base, i0);
    for (var r = lid; r < BLOCK_K; r += BLOCK_Q) {
      let i = i0 + r;
      tile_lse[r] = select(0.0, lse[bh * SEQ + i], i < SEQ);
      tile_dot[r] = select(0.0, rowdot[bh * SEQ + i], i < SEQ);
    }
    workgroupBarrier();
    for (var ii = 0u; ii < min(BLOCK_K, dm.x - i0); ii++) {
      let i = i0 + ii;
      if (live && i < SEQ && !(CAUSAL && j > i)) {
        var x = 0.0;
        var dp = 0.0;
        for (var c = 0u; c < hd; c++) {
          x += kj[c] * tile_a[ii * HEAD_DIM + c];
          dp += vj[c] * tile_b[ii * HEAD_DIM + c];
        }
        let p = exp(x - tile_lse[ii]);
        let ds = p * (dp - tile_dot[ii]);
        for (var c = 0u; c < hd; c++) {
          gv[c] += p * tile_b[ii * HEAD_DIM + c];
          gk[c] += ds * tile_a[ii * HEAD_DIM + c];
        }
      }
    }
    workgroupBarrier();
  }
  if (live) {
    for (var c = 0u; c < hd; c++) {
      dk[base + j * HEAD_DIM + c] = T(gk[c] * SCALE);
      dv[base + j * HEAD_DIM + c] = T(gv[c]);
    }
  }
}
