// Dequantize-GEMV y = W x for a ggml-quantized W[ROWS, COLS] stored exactly as in a GGUF file: each
// row is COLS / BLOCK_ELEMS blocks of BLOCK_BYTES bytes, back to back (so a row need not start on a
// 4-byte boundary; the weights are read as bytes from an array<u32>). One workgroup per row sums
// its blocks; the block fields follow ggml-common.h and the decoding ggml-quants.c (dequantize_row_*).
// The runner prepends ROWS, COLS, BLOCK_ELEMS, BLOCK_BYTES and the field offsets OFF_D, OFF_DMIN,
// OFF_SCALES, OFF_QS from the project's ggml table.

@group(0) @binding(0) var<storage, read> w: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

const WG: u32 = 64u;
var<workgroup> red: array<f32, WG>;

fn byte_at(o: u32) -> u32 {
  return (w[o >> 2u] >> ((o & 3u) * 8u)) & 0xffu;
}

fn half_at(o: u32) -> f32 {
  return unpack2x16float(byte_at(o) | (byte_at(o + 1u) << 8u)).x;
}

fn finish(row: u32, lid: u32, acc: f32) {
  red[lid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { y[row] = red[0]; }
}

// block_q8_0: y = d · qs[j] (int8).
@compute @workgroup_size(WG)
fn gemv_q8_0(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= ROWS) { return; }
  let blocks = COLS / BLOCK_ELEMS;
  var acc = 0.0;
  for (var b = lid; b < blocks; b += WG) {
    let o = (row * blocks + b) * BLOCK_BYTES;
    let d = half_at(o + OFF_D);
    var s = 0.0;
    for (var j = 0u; j < BLOCK_ELEMS; j++) {
      let q = bitcast<i32>(byte_at(o + OFF_QS + j) << 24u) >> 24u;
      s += f32(q) * x[b * BLOCK_ELEMS + j];
    }
    acc += d * s;
  }
  finish(row, lid, acc);
}

// ggml-quants.c get_scale_min_k4: 6-bit scale and min of sub-block j from the 12 scale bytes at o.
fn scale_min_k4(o: u32, j: u32) -> vec2f {
  if (j < 4u) {
    return vec2f(f32(byte_at(o + j) & 63u), f32(byte_at(o + j + 4u) & 63u));
  }
  let sc = (byte_at(o + j + 4u) & 0xfu) | ((byte_at(o + j - 4u) >> 6u) << 4u);
  let m = (byte_at(o + j + 4u) >> 4u) | ((byte_at(o + j) >> 6u) << 4u);
  return vec2f(f32(sc), f32(m));
}

// block_q4_K: eight sub-blocks of 32; sub-block s uses the low (s even) or high (s odd) nibbles of
// qs[32·(s/2) …], y = d·sc·q − dmin·m. One invocation handles one sub-block at a time.
@compute @workgroup_size(WG)
fn gemv_q4_k(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= ROWS) { return; }
  let blocks = COLS / BLOCK_ELEMS;
  let subs = BLOCK_ELEMS / 32u;
  var acc = 0.0;
  for (var t = lid; t < blocks * subs; t += WG) {
    let b = t / subs;
    let sub = t % subs;
    let o = (row * blocks + b) * BLOCK_BYTES;
    let d = half_at(o + OFF_D);
    let dmin = half_at(o + OFF_DMIN);
    let sm = scale_min_k4(o + OFF_SCALES, sub);
    let shift = (sub & 1u) * 4u;
    let qo = o + OFF_QS + (sub / 2u) * 32u;
    let xo = b * BLOCK_ELEMS + sub * 32u;
    var sq = 0.0;
    var sx = 0.0;
    for (var l = 0u; l < 32u; l++) {
      let q = (byte_at(qo + l) >> shift) & 0xfu;
      let xv = x[xo + l];
      sq += f32(q) * xv;
      sx += xv;
    }
    acc += d * sm.x * sq - dmin * sm.y * sx;
  }
  finish(row, lid, acc);
}
