import { describe, expect, it } from 'vitest';
import { gptKorthikanti, llama2_7b } from './__fixtures__/architectures.js';
import type { Architecture, SoftmaxAttentionSpec } from '../model/architecture.js';
import {
  deltaRuleSavedBytes,
  sdpaBackend,
  type TrainingActivationOptions,
  trainingActivationBytes,
} from './activations.js';

const base: TrainingActivationOptions = {
  seq: 2048,
  microBatch: 1,
  computeBytes: 2,
  attention: 'flash',
  checkpointing: 'none',
  kernels: 'fused',
  loss: 'hf',
  trainable: 'all',
};
const GPT_LIKE_H = 4096;

describe('trainingActivationBytes', () => {
  // Korthikanti et al. 2022 §4: 16-bit activations, dropout, LayerNorm, naive attention with a
  // 16-bit softmax. We add the LayerNorm statistics (mean + rstd, fp32) the paper leaves out.
  const megatron: TrainingActivationOptions = {
    seq: 2048,
    microBatch: 1,
    computeBytes: 2,
    attention: 'naive',
    softmax: 'compute',
    dropout: true,
    checkpointing: 'none',
    kernels: 'fused',
    loss: 'hf',
    trainable: 'all',
  };
  const [s, b, h, a] = [2048, 1, 2048, 16];
  const stats = 2 * 8 * s * b;

  it('reproduces sbh(34 + 5as/h) per layer for a GPT layer (Korthikanti eq. 1): 2048 × 2048 × (34 + 80) + norm stats', () => {
    const r = trainingActivationBytes(gptKorthikanti, megatron);
    expect(r.perLayerBytes).toBe(s * b * h * (34 + (5 * a * s) / h) + stats);
  });

  it('reproduces sbh(10 + 24/t + 5as/(ht)) with tensor parallelism t = 8 (eq. 2)', () => {
    const r = trainingActivationBytes(gptKorthikanti, { ...megatron, tp: 8 });
    expect(r.perLayerBytes).toBe(s * b * h * (10 + 24 / 8 + (5 * a * s) / (h * 8)) + stats);
  });

  it('reproduces sbh/t · (34 + 5as/h) with tensor and sequence parallelism t = 8 (eq. 4)', () => {
    const r = trainingActivationBytes(gptKorthikanti, { ...megatron, tp: 8, sequenceParallel: true });
    expect(r.perLayerBytes).toBe((s * b * h * (34 + (5 * a * s) / h)) / 8 + stats / 8);
  });

  it('drops the 5as/h term with selective recomputation, keeping sbh·34 (§5)', () => {
    const r = trainingActivationBytes(gptKorthikanti, { ...megatron, checkpointing: 'selective' });
    expect(r.perLayerBytes).toBe(s * b * h * 34 + stats);
  });

  it("adds the naive s² term of Korthikanti et al. over flash: 32 layers × b·heads·s²·(4 + 2) B, less flash's fp32 log-sum-exp", () => {
    const flash = trainingActivationBytes(llama2_7b, base).activations.bytes;
    const naive = trainingActivationBytes(llama2_7b, { ...base, attention: 'naive' }).activations.bytes;
    // MHA: eager's repeated K/V equal flash's K/V, so only the scores and the log-sum-exp differ.
    const scores = 32 * (32 * 2048 * 2048 * 6);
    const lse = 32 * (2048 * 32 * 4);
    expect(naive - flash).toBe(scores - lse);
  });

  it('keeps 2·s·b·h per layer with full checkpointing plus one recomputed layer', () => {
    const r = trainingActivationBytes(llama2_7b, { ...base, checkpointing: 'full' });
    expect(r.activations.parts?.layers?.parts?.checkpoints?.bytes).toBe(32 * 2 * 2048 * GPT_LIKE_H);
    expect(r.activations.bytes).toBe(32 * 2 * 2048 * GPT_LIKE_H + r.perLayerBytes);
  });

  it('is smallest near k = √L when checkpointing every k layers (seed 004): k = 4..8 beats k = 1 and k = 32 for 32 layers', () => {
    const at = (k: number) =>
      trainingActivationBytes(llama2_7b, { ...base, checkpointing: 'full', checkpointEvery: k }).activations.bytes;
    const best = Math.min(at(4), at(6), at(8));
    expect(best).toBeLessThan(at(32));
    expect(at(32)).toBeGreaterThan(at(1));
  });

  it('keeps less for a frozen LoRA base than full training, but more than nothing: nonlinearities still need saving', () => {
    const full = trainingActivationBytes(llama2_7b, { ...base, kernels: 'eager' }).activations.bytes;
    const lora = trainingActivationBytes(llama2_7b, {
      ...base,
      kernels: 'eager',
      trainable: { modules: new Set(['q_proj', 'v_proj']), rank: 16, dora: false, dropout: false },
    }).activations.bytes;
    expect(lora).toBeLessThan(full);
    expect(lora).toBeGreaterThan(0.6 * full);
  });

  it('counts 12 B per logit for the HF loss and 0 stored for a fused loss: 2048 × 32000 × 12 = 786,432,000 B', () => {
    expect(trainingActivationBytes(llama2_7b, base).logits.bytes).toBe(786_432_000);
    expect(trainingActivationBytes(llama2_7b, { ...base, loss: 'chunked' }).logits.bytes).toBe(2048 * 32000 * 2);
  });

  it("Megatron's vocab-parallel loss: the bf16 logits and one fp32 copy (2 + 4 B), split by tp; 4 B with fp32 logits", () => {
    // cross_entropy.py: .float() once, then max / exp / div_ in place; backward reuses the saved softmax.
    const vp = { ...base, loss: 'vocab-parallel' } as const;
    expect(trainingActivationBytes(llama2_7b, vp).logits.bytes).toBe(2048 * 32000 * 6);
    expect(trainingActivationBytes(llama2_7b, { ...vp, tp: 2 }).logits.bytes).toBe((2048 * 32000 * 6) / 2);
    expect(trainingActivationBytes(llama2_7b, { ...vp, computeBytes: 4 }).logits.bytes).toBe(2048 * 32000 * 4);
  });

  it('divides head- and FFN-sized tensors by tp and, with sequence parallelism, the hidden ones too', () => {
    const one = trainingActivationBytes(llama2_7b, base).activations.bytes;
    const tp = trainingActivationBytes(llama2_7b, { ...base, tp: 8 }).activations.bytes;
    const sp = trainingActivationBytes(llama2_7b, { ...base, tp: 8, sequenceParallel: true }).activations.bytes;
    expect(tp).toBeLessThan(one);
    expect(sp).toBeCloseTo(one / 8, -3);
  });
});

describe('sdpaBackend: torch SDPA backend selection per device', () => {
  it('CPU: flash with equal head dims and no dropout, else math (sdp_utils_cpp.cpp)', () => {
    expect(sdpaBackend('cpu', 128, 128, 2, false)).toBe('flash');
    expect(sdpaBackend('cpu', 128, 128, 4, false)).toBe('flash');
    expect(sdpaBackend('cpu', 192, 128, 2, false)).toBe('math'); // MLA
    expect(sdpaBackend('cpu', 128, 128, 2, true)).toBe('math');
  });

  it('CUDA: flash for 16-bit equal dims ≤ 256, memory-efficient for fp32 or unequal dims, else math (sdp_utils.cpp)', () => {
    expect(sdpaBackend('cuda', 128, 128, 2, false)).toBe('flash');
    expect(sdpaBackend('cuda', 192, 128, 2, false)).toBe('efficient'); // MLA
    expect(sdpaBackend('cuda', 128, 128, 4, false)).toBe('efficient'); // fp32: flash refuses
    expect(sdpaBackend('cuda', 512, 512, 2, false)).toBe('efficient');
    expect(sdpaBackend('cuda', 100, 100, 2, false)).toBe('flash');
    expect(sdpaBackend('cuda', 102, 102, 4, false)).toBe('math'); // 102 % 4 ≠ 0
  });

  it('the math backend saves fp32 q, k, v and the fp32 probabilities: more than the fused kernels for a 16-bit layer', () => {
    const mla: Architecture = {
      ...llama2_7b,
      layers: llama2_7b.layers.map((l) => ({
        ...l,
        attention: {
          ...(l.attention as SoftmaxAttentionSpec),
          headDim: 192,
          vHeadDim: 128,
          mla: { qLoraRank: 0, kvLoraRank: 512, qkNopeHeadDim: 128, qkRopeHeadDim: 64, vHeadDim: 128 },
        },
      })),
    };
    const o = { ...base, kernels: 'eager' as const, seq: 128 };
    const cuda = trainingActivationBytes(mla, o).perLayerBytes;
    const cpu = trainingActivationBytes(mla, { ...o, attentionDevice: 'cpu' }).perLayerBytes;
    const heads = 32;
    // math − efficient, per token: q, k in fp32 (+2 B each over bf16), fp32 V copy (4·vd) replacing the
    // bf16 kv_b_proj output (2·heads·(128 + 128)), the probabilities, the o_proj copy, less out and lse.
    const perToken =
      2 * heads * 192 * 2 +
      4 * heads * 128 -
      2 * heads * 256 +
      4 * heads * 128 +
      2 * heads * 128 -
      2 * heads * 128 -
      4 * heads;
    expect(cpu - cuda).toBe(perToken * 128);
  });
});

describe("deltaRuleSavedBytes: transformers' torch_chunk_gated_delta_rule fallback", () => {
  // Qwen3-Next's linear attention: 16 key heads, 32 value heads, 128-wide heads, kernel 4.
  const at = {
    kind: 'linear',
    numKeyHeads: 16,
    numValueHeads: 32,
    keyHeadDim: 128,
    valueHeadDim: 128,
    convKernel: 4,
  } as const;
  // Measured: bytes saved (saved_tensors_hooks, each storage once) by torch_chunk_gated_delta_rule of
  // transformers 5.24 / torch 2.15 on the CPU, batch 1, random q/k/v/g/beta, use_qk_l2norm_in_kernel.
  it.each([
    [128, 2, 32_608_512],
    [100, 2, 31_683_840],
    [64, 2, 15_257_728],
    [200, 2, 63_363_584],
    [128, 4, 40_997_120],
    [100, 4, 31_683_840],
    [64, 4, 15_257_728],
    [200, 4, 63_363_584],
  ])('seq %i with %i-byte inputs: %i B', (seq, bytes, measured) => {
    expect(deltaRuleSavedBytes(at, seq, bytes)).toBe(measured);
  });
});

describe('fused q/k/v projection (Phi-3 qkv_proj) storages', () => {
  // Phi-3-mini's widths: 32 heads of 96, hidden 3072; the family's rope ends in torch.cat (head-major q).
  const phi = (kvHeads: number, fused: boolean): Architecture => ({
    ...llama2_7b,
    family: 'phi3',
    hiddenSize: 3072,
    layers: [
      {
        ...llama2_7b.layers[0]!,
        attention: {
          ...(llama2_7b.layers[0]!.attention as SoftmaxAttentionSpec),
          numHeads: 32,
          numKvHeads: kvHeads,
          headDim: 96,
          vHeadDim: 96,
          ...(fused ? { fusedQkv: 'qkv_proj' as const } : {}),
        },
      },
    ],
  });
  const o = { ...base, kernels: 'eager' as const, seq: 128 };
  const extra = (kv: number, opts: Partial<TrainingActivationOptions>) =>
    (trainingActivationBytes(phi(kv, true), { ...o, ...opts }).perLayerBytes -
      trainingActivationBytes(phi(kv, false), { ...o, ...opts }).perLayerBytes) /
    128;

  it('eager MHA: V is a view of the fused output, which keeps the q and k parts too (+2 B × (q + k) per token)', () => {
    expect(extra(32, { attention: 'naive' })).toBe(2 * (3072 + 3072));
  });

  it('eager GQA: repeat_kv copies V, so the fused output is not kept', () => {
    expect(extra(8, { attention: 'naive' })).toBe(0);
  });

  it('SDPA (enable_gqa, no repeat): the fused output is kept whatever the KV heads', () => {
    expect(extra(8, { attention: 'flash' })).toBe(2 * (3072 + 768));
  });

  it("a head-major query makes FlashAttention-2's output head-major: o_proj saves a token-major copy; the memory-efficient kernel writes token-major", () => {
    const flash = trainingActivationBytes(phi(32, false), { ...o, attention: 'flash' }).perLayerBytes;
    const llama = trainingActivationBytes(
      { ...phi(32, false), family: 'llama' },
      { ...o, attention: 'flash' },
    ).perLayerBytes;
    expect((flash - llama) / 128).toBe(2 * 3072);
    // fp32 activations on CUDA: flash refuses fp32, the memory-efficient kernel runs, no copy.
    const fp32 = { ...o, attention: 'flash' as const, computeBytes: 4 };
    expect(
      trainingActivationBytes(phi(32, false), fp32).perLayerBytes -
        trainingActivationBytes({ ...phi(32, false), family: 'llama' }, fp32).perLayerBytes,
    ).toBe(0);
  });
});
