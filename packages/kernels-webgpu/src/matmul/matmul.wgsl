// Tiled matmul C[M, N] = A[M, K] · B[K, N], row-major. A 16 × 16 workgroup computes a 64 × 64 tile
// of C, each invocation a 4 × 4 block in registers; 64 × 16 slices of A and 16 × 64 slices of B
// pass through workgroup memory. The runner prepends `alias T` and the constants M, N, K.

@group(0) @binding(0) var<storage, read> a: array<T>;
@group(0) @binding(1) var<storage, read> b: array<T>;
@group(0) @binding(2) var<storage, read_write> c: array<T>;

const TILE: u32 = 64u;
const STEP: u32 = 16u;
var<workgroup> ta: array<f32, TILE * STEP>;
var<workgroup> tb: array<f32, STEP * TILE>;

@compute @workgroup_size(16, 16)
fn matmul(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  // K as a run-time value (arrayLength) so the step loop is not unrolled.
  let kdim = arrayLength(&a) / M;
  for (var t = 0u; t < kdim; t += STEP) {
    for (var e = li; e < TILE * STEP; e += 256u) {
      let ar = row0 + e / STEP;
      let ak = t + e % STEP;
      ta[e] = select(0.0, f32(a[min(ar * K + ak, M * K - 1u)]), ar < M && ak < K);
      let bk = t + e / TILE;
      let bc = col0 + e % TILE;
      tb[e] = select(0.0, f32(b[min(bk * N + bc, K * N - 1u)]), bk < K && bc < N);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < STEP; kk++) {
      let r = lid.y * 4u;
      let bv = vec4f(tb[kk * TILE + lid.x * 4u], tb[kk * TILE + lid.x * 4u + 1u], tb[kk * TILE + lid.x * 4u + 2u], tb[kk * TILE + lid.x * 4u + 3u]);
      acc0 += ta[r * STEP + kk] * bv;
      acc1 += ta[(r + 1u) * STEP + kk] * bv;
      acc2 += ta[(r + 2u) * STEP + kk] * bv;
      acc3 += ta[(r + 3u) * STEP + kk] * bv;
    }
    workgroupBarrier();
  }
  let rows = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + lid.y * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + lid.x * 4u + j;
      if (row < M && col < N) { c[row * N + col] = T(rows[i][j]); }
    }
  }
}
