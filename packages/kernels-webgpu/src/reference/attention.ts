/** Shape of the CPU attention reference: `[batch·heads, seqLen, headDim]`. */
export interface ReferenceAttentionShape {
  batchHeads: number;
  seqLen: number;
  headDim: number;
  causal: boolean;
}

/**
 * Attention on the CPU in float64, the oracle of the GPU kernels: `O = softmax(QKᵀ/√d) V` and,
 * given `dO`, the textbook gradients (`dV = PᵀdO`, `dP = dO Vᵀ`, `dS = P∘(dP − rowsum(P∘dP))`,
 * `dQ = dS K/√d`, `dK = dSᵀ Q/√d`).
 * @returns `output`, and `gradQ`, `gradK`, `gradV` when `gradOutput` is given
 */
export function referenceAttention(
  shape: ReferenceAttentionShape,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  gradOutput?: Float32Array,
): { output: Float64Array; gradQ?: Float64Array; gradK?: Float64Array; gradV?: Float64Array } {
  const { batchHeads: bh, seqLen: L, headDim: D, causal } = shape;
  const scale = 1 / Math.sqrt(D);
  const output = new Float64Array(bh * L * D);
  const gradQ = new Float64Array(bh * L * D);
  const gradK = new Float64Array(bh * L * D);
  const gradV = new Float64Array(bh * L * D);
  const p = new Float64Array(L * L);
  for (let b = 0; b < bh; b++) {
    const base = b * L * D;
    for (let i = 0; i < L; i++) {
      const keys = causal ? i + 1 : L;
      let m = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < keys; j++) {
        let s = 0;
        for (let c = 0; c < D; c++) s += q[base + i * D + c]! * k[base + j * D + c]!;
        p[i * L + j] = s * scale;
        m = Math.max(m, s * scale);
      }
      let sum = 0;
      for (let j = 0; j < L; j++) {
        const e = j < keys ? Math.exp(p[i * L + j]! - m) : 0;
        p[i * L + j] = e;
        sum += e;
      }
      for (let j = 0; j < L; j++) p[i * L + j]! /= sum;
      for (let c = 0; c < D; c++) {
        let acc = 0;
        for (let j = 0; j < keys; j++) acc += p[i * L + j]! * v[base + j * D + c]!;
        output[base + i * D + c] = acc;
      }
    }
    if (!gradOutput) continue;
    const dO = (i: number, c: number) => gradOutput[base + i * D + c]!;
    for (let i = 0; i < L; i++) {
      const dp = new Float64Array(L);
      let rowDot = 0;
      for (let j = 0; j < L; j++) {
        let acc = 0;
        for (let c = 0; c < D; c++) acc += dO(i, c) * v[base + j * D + c]!;
        dp[j] = acc;
        rowDot += p[i * L + j]! * acc;
      }
      for (let j = 0; j < L; j++) {
        const pij = p[i * L + j]!;
        const ds = pij * (dp[j]! - rowDot);
        for (let c = 0; c < D; c++) {
          gradV[base + j * D + c]! += pij * dO(i, c);
          gradQ[base + i * D + c]! += ds * k[base + j * D + c]! * scale;
          gradK[base + j * D + c]! += ds * q[base + i * D + c]! * scale;
        }
      }
    }
  }
  return gradOutput ? { output, gradQ, gradK, gradV } : { output };
}
