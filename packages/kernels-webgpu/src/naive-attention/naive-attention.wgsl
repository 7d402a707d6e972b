// Naive attention over [BH, SEQ, HEAD_DIM] tensors: S = scale · Q Kᵀ and P = softmax(S) are
// materialized in storage buffers (as eager PyTorch attention does), then O = P V; the backward
// pass materializes dS. The runner prepends `alias T` (storage type, f32 or f16) and the constants
// BH, SEQ, HEAD_DIM, SCALE (1/√HEAD_DIM) and CAUSAL. Accumulation is always f32; P and dS are f32.

@group(0) @binding(0) var<storage, read> q: array<T>;
@group(0) @binding(1) var<storage, read> k: array<T>;
@group(0) @binding(2) var<storage, read> v: array<T>;
@group(0) @binding(3) var<storage, read_write> s: array<T>;
@group(0) @binding(4) var<storage, read_write> p: array<f32>;
@group(0) @binding(5) var<storage, read_write> o: array<T>;
@group(0) @binding(6) var<storage, read> dout: array<T>;
@group(0) @binding(7) var<storage, read_write> ds: array<f32>;
@group(0) @binding(8) var<storage, read_write> dq: array<T>;
@group(0) @binding(9) var<storage, read_write> dk: array<T>;
@group(0) @binding(10) var<storage, read_write> dv: array<T>;

const WG: u32 = 64u;
var<workgroup> red: array<f32, WG>;

fn flat(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + lid;
}

fn masked(i: u32, j: u32) -> bool {
  return CAUSAL && j > i;
}

// S[bh, i, j] = scale · Σ_c Q[bh, i, c] K[bh, j, c]; masked entries hold 0 and are skipped by softmax.
@compute @workgroup_size(WG)
fn scores(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = flat(wid, nwg, lid);
  if (idx >= BH * SEQ * SEQ) { return; }
  let bh = idx / (SEQ * SEQ);
  let i = (idx / SEQ) % SEQ;
  let j = idx % SEQ;
  if (masked(i, j)) { s[idx] = T(0.0); return; }
  let qb = (bh * SEQ + i) * HEAD_DIM;
  let kb = (bh * SEQ + j) * HEAD_DIM;
  var acc = 0.0;
  for (var c = 0u; c < HEAD_DIM; c++) { acc += f32(q[qb + c]) * f32(k[kb + c]); }
  s[idx] = T(acc * SCALE);
}

fn reduce_max(lid: u32, x: f32) -> f32 {
  red[lid] = x;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { red[lid] = max(red[lid], red[lid + stride]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(lid: u32, x: f32) -> f32 {
  red[lid] = x;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { red[lid] += red[lid + stride]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

// One workgroup per row: P[row, j] = exp(S - max) / Σ exp(S - max) over the unmasked keys.
@compute @workgroup_size(WG)
fn softmax(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= BH * SEQ) { return; }
  let i = row % SEQ;
  let keys = select(SEQ, i + 1u, CAUSAL);
  let base = row * SEQ;
  var m = -3.0e38;
  for (var j = lid; j < keys; j += WG) { m = max(m, f32(s[base + j])); }
  m = reduce_max(lid, m);
  var sum = 0.0;
  for (var j = lid; j < keys; j += WG) { sum += exp(f32(s[base + j]) - m); }
  sum = reduce_sum(lid, sum);
  for (var j = lid; j < SEQ; j += WG) {
    p[base + j] = select(0.0, exp(f32(s[base + j]) - m) / sum, j < keys);
  }
}

// O[bh, i, c] = Σ_j P[bh, i, j] V[bh, j, c].
@compute @workgroup_size(WG)
fn pv(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = flat(wid, nwg, lid);
  if (idx >= BH * SEQ * HEAD_DIM) { return; }
  let bh = idx / (SEQ * HEAD_DIM);
  let i = (idx / HEAD_DIM) % SEQ;
  let c = idx % HEAD_DIM;
  let keys = select(SEQ, i + 1u, CAUSAL);
  let pb = (bh * SEQ + i) * SEQ;
  var acc = 0.0;
  for (var j = 0u; j < keys; j++) { acc += p[pb + j] * f32(v[(bh * SEQ + j) * HEAD_DIM + c]); }
  o[idx] = T(acc);
}

// dV[bh, j, c] = Σ_i P[bh, i, j] dO[bh, i, c].
@compute @workgroup_size(WG)
fn grad_v(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = flat(wid, nwg, lid);
  if (idx >= BH * SEQ * HEAD_DIM) { return; }
  let bh = idx / (SEQ * HEAD_DIM);
  let j = (idx / HEAD_DIM) % SEQ;
  let c = idx % HEAD_DIM;
  var acc = 0.0;
  for (var i = select(0u, j, CAUSAL); i < SEQ; i++) {
    acc += p[(bh * SEQ + i) * SEQ + j] * f32(dout[(bh * SEQ + i) * HEAD_DIM + c]);
  }
  dv[idx] = T(acc);
}

// dP[bh, i, j] = Σ_c dO[bh, i, c] V[bh, j, c], written into dS (grad_s turns it into dS in place).
@compute @workgroup_size(WG)
fn grad_p(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = flat(wid, nwg, lid);
  if (idx >= BH * SEQ * SEQ) { return; }
  let bh = idx / (SEQ * SEQ);
  let i = (idx / SEQ) % SEQ;
  let j = idx % SEQ;
  if (masked(i, j)) { ds[idx] = 0.0; return; }
  let ob = (bh * SEQ + i) * HEAD_DIM;
  let vb = (bh * SEQ + j) * HEAD_DIM;
  var acc = 0.0;
  for (var c = 0u; c < HEAD_DIM; c++) { acc += f32(dout[ob + c]) * f32(v[vb + c]); }
  ds[idx] = acc;
}

// Softmax backward per row: dS = P ∘ (dP − Σ_j P dP).
@compute @workgroup_size(WG)
fn grad_s(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= BH * SEQ) { return; }
  let base = row * SEQ;
  var acc = 0.0;
  for (var j = lid; j < SEQ; j += WG) { acc += p[base + j] * ds[base + j]; }
  let d = reduce_sum(lid, acc);
  for (var j = lid; j < SEQ; j += WG) { ds[base + j] = p[base + j] * (ds[base + j] - d); }
}

// dQ[bh, i, c] = scale · Σ_j dS[bh, i, j] K[bh, j, c].
@compute @workgroup_size(WG)
fn grad_q(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = flat(wid, nwg, lid);
  if (idx >= BH * SEQ * HEAD_DIM) { return; }
  let bh = idx / (SEQ * HEAD_DIM);
  let i = (idx / HEAD_DIM) % SEQ;
  let c = idx % HEAD_DIM;
  let keys = select(SEQ, i + 1u, CAUSAL);
  var acc = 0.0;
  for (var j = 0u; j < keys; j++) { acc += ds[(bh * SEQ + i) * SEQ + j] * f32(k[(bh * SEQ + j) * HEAD_DIM + c]); }
  dq[idx] = T(acc * SCALE);
}

// dK[bh, j, c] = scale · Σ_i dS[bh, i, j] Q[bh, i, c].
@compute @workgroup_size(WG)
fn grad_k(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let idx = flat(wid, nwg, lid);
  if (idx >= BH * SEQ * HEAD_DIM) { return; }
  let bh = idx / (SEQ * HEAD_DIM);
  let j = (idx / HEAD_DIM) % SEQ;
  let c = idx % HEAD_DIM;
  var acc = 0.0;
  for (var i = select(0u, j, CAUSAL); i < SEQ; i++) {
    acc += ds[(bh * SEQ + i) * SEQ + j] * f32(q[(bh * SEQ + i) * HEAD_DIM + c]);
  }
  dk[idx] = T(acc * SCALE);
}
