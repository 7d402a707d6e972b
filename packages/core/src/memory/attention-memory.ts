import { naiveAttentionScoreBytes } from './activations.js';
import { type BreakdownPart, part } from './breakdown.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';

/** Shape of one attention call as a kernel sees it: `[batch, heads, tokens, headDim]` tensors. */
export interface AttentionKernelShape {
  /** `naive` materializes `S = QKᵀ` and `P = softmax(S)`; `flash` keeps them in on-chip tiles (FlashAttention-2). */
  kind: 'naive' | 'flash';
  batch: number;
  heads: number;
  /** Query tokens (rows of `S`). */
  queryTokens: number;
  /** Key/value tokens (columns of `S`); defaults to `queryTokens` (self-attention). */
  keyTokens?: number;
  headDim: number;
  /** Bytes of a Q/K/V/O and score element (4 for fp32, 2 for fp16). */
  elementBytes: number;
}

function checkShape(s: AttentionKernelShape): void {
  const issues = [];
  for (const key of ['batch', 'heads', 'queryTokens', 'headDim'] as const) {
    if (!Number.isSafeInteger(s[key]) || s[key] < 1)
      issues.push({ path: `attention.${key}`, message: `${key} must be a positive integer`, received: s[key] });
  }
  if (s.keyTokens !== undefined && (!Number.isSafeInteger(s.keyTokens) || s.keyTokens < 1))
    issues.push({
      path: 'attention.keyTokens',
      message: 'keyTokens must be a positive integer',
      received: s.keyTokens,
    });
  if (s.elementBytes !== 2 && s.elementBytes !== 4)
    issues.push({
      path: 'attention.elementBytes',
      message: 'elementBytes must be 2 (fp16) or 4 (fp32)',
      received: s.elementBytes,
    });
  if (s.kind !== 'naive' && s.kind !== 'flash')
    issues.push({ path: 'attention.kind', message: 'kind must be "naive" or "flash"', received: s.kind });
  if (issues.length > 0) throw new InvalidInputError(issues);
}

/**
 * Bytes one attention forward holds at its peak: the inputs Q, K, V, the output O and, for naive
 * attention, the score matrix and its fp32 softmax ({@link naiveAttentionScoreBytes}, seed 002's
 * `(B, L, L)` accounting); for flash attention, the fp32 log-sum-exp per query row that
 * FlashAttention-2 keeps for the backward pass (Dao 2023, arXiv:2307.08691, algorithm 1 line 13),
 * so it grows linearly in the sequence length.
 * @param s kind, batch, heads, query and key tokens, head dim, element bytes
 * @returns bytes with parts `inputs`, `scores` (naive) or `statistics` (flash), and `output`
 * @throws InvalidInputError for a non-positive or non-integer dimension, or an element size other than 2 or 4
 */
export function attentionForwardBytes(s: AttentionKernelShape): BreakdownPart {
  checkShape(s);
  const keys = s.keyTokens ?? s.queryTokens;
  const rows = s.batch * s.heads;
  const q = rows * s.queryTokens * s.headDim * s.elementBytes;
  const kv = 2 * rows * keys * s.headDim * s.elementBytes;
  const output = q;
  const parts: Record<string, BreakdownPart> = {
    inputs: part(
      q + kv,
      `Q ${rows} × ${s.queryTokens} × ${s.headDim} + K, V ${rows} × ${keys} × ${s.headDim}, × ${s.elementBytes} B`,
    ),
  };
  if (s.kind === 'naive') {
    const scores = naiveAttentionScoreBytes({
      batch: s.batch,
      heads: s.heads,
      queryTokens: s.queryTokens,
      keyTokens: keys,
      scoreBytes: s.elementBytes,
    });
    parts.scores = part(
      scores,
      `S and fp32 P = softmax(S): ${rows} × ${s.queryTokens} × ${keys} × (${s.elementBytes} + 4) B`,
    );
  } else {
    parts.statistics = part(
      rows * s.queryTokens * 4,
      `fp32 log-sum-exp per query row: ${rows} × ${s.queryTokens} × 4 B`,
    );
  }
  parts.output = part(output, `O ${rows} × ${s.queryTokens} × ${s.headDim} × ${s.elementBytes} B`);
  let total = 0;
  for (const p of Object.values(parts)) total += p.bytes;
  return part(total, `${s.kind} attention forward: inputs + ${s.kind === 'naive' ? 'S + P' : 'log-sum-exp'} + output`, {
    accuracy: 'exact',
    source:
      s.kind === 'naive'
        ? 'seed 002 accounting; transformers eager_attention_forward (fp32 softmax)'
        : 'FlashAttention-2 (arXiv:2307.08691) algorithm 1',
    parts,
  });
}
