// Streaming bandwidth probe over a buffer of vec4<f32>. `stream_read` sums the buffer with a grid-stride
// loop (each invocation writes one partial sum, so the reads cannot be optimized away); `stream_copy`
// copies it into a second buffer. The runner prepends the constant THREADS (invocations in the dispatch).

@group(0) @binding(0) var<storage, read> src: array<vec4f>;
@group(0) @binding(1) var<storage, read_write> sink: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4f>;

@compute @workgroup_size(256)
fn stream_read(@builtin(global_invocation_id) gid: vec3u) {
  let n = arrayLength(&src);
  var acc = vec4f(0.0);
  for (var i = gid.x; i < n; i += THREADS) { acc += src[i]; }
  sink[gid.x] = acc.x + acc.y + acc.z + acc.w;
}

@compute @workgroup_size(256)
fn stream_copy(@builtin(global_invocation_id) gid: vec3u) {
  let n = arrayLength(&src);
  for (var i = gid.x; i < n; i += THREADS) { dst[i] = src[i]; }
}
