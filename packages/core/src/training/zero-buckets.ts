import { DEEPSPEED_BUCKETS } from './parallelism.js';

/** DeepSpeed's bucket defaults as one sentence with their source (deepspeed/runtime/zero/config.py). */
export const DEEPSPEED_BUCKET_DEFAULTS_NOTE = `DeepSpeed's default buckets (reduce_bucket_size ${DEEPSPEED_BUCKETS.reduceBucketSize.toExponential()}, allgather_bucket_size ${DEEPSPEED_BUCKETS.allgatherBucketSize.toExponential()}, stage3_max_live_parameters ${DEEPSPEED_BUCKETS.stage3MaxLiveParameters.toExponential()}, stage3_prefetch_bucket_size ${DEEPSPEED_BUCKETS.stage3PrefetchBucketSize.toExponential()} elements; deepspeed/runtime/zero/config.py)`;

/**
 * Says when a higher ZeRO stage needs more per GPU than a lower one because DeepSpeed's fixed-size
 * buckets outweigh what the extra sharding saves (small models: BELLE issue #402 measured ZeRO-3 above
 * ZeRO-1/2 for bloom-560m on 2 GPUs, and smaller buffers reversed it).
 * @param stage the ZeRO stage used (≥ 1)
 * @param residentAt model states + communication buffers per GPU at a ZeRO stage (1 … stage)
 * @returns the note, or undefined when no lower stage needs less
 */
export function zeroBucketNote(stage: number, residentAt: (stage: 1 | 2 | 3) => number): string | undefined {
  if (stage < 2) return undefined;
  const here = residentAt(stage as 2 | 3);
  let best: { stage: 1 | 2; bytes: number } | undefined;
  for (const lower of [1, 2] as const) {
    if (lower >= stage) continue;
    const bytes = residentAt(lower);
    if (bytes < here && (!best || bytes < best.bytes)) best = { stage: lower, bytes };
  }
  if (!best) return undefined;
  const more = Math.ceil(here - best.bytes).toLocaleString('en-US');
  return `ZeRO-${stage} holds ${more} B more per GPU than ZeRO-${best.stage} here: ${DEEPSPEED_BUCKET_DEFAULTS_NOTE} outweigh what the extra sharding saves; smaller buckets reverse it`;
}
