import { MIB } from '../memory/units.js';

// PyTorch c10/cuda/CUDACachingAllocator.cpp constants (unchanged since torch 1.x, default config:
// no max_split_size, no roundup_power2_divisions, no expandable segments).
const MIN_BLOCK = 512; // kMinBlockSize: every request rounds up to 512 B
const SMALL_SIZE = MIB; // kSmallSize: requests ≤ 1 MiB use the small pool
const SMALL_BUFFER = 2 * MIB; // kSmallBuffer: small-pool segments
const LARGE_BUFFER = 20 * MIB; // kLargeBuffer: segments for requests of 1–10 MiB
const MIN_LARGE_ALLOC = 10 * MIB; // kMinLargeAlloc
const ROUND_LARGE = 2 * MIB; // kRoundLarge: larger requests get a segment rounded up to 2 MiB

/** Result of {@link cudaAllocatedBytes}. */
export interface CudaAllocation {
  /** `torch.cuda.memory_allocated()` after the requests: the sizes of the blocks handed out. */
  allocated: number;
  /** `torch.cuda.memory_reserved()`: the segments cudaMalloc'd. */
  reserved: number;
  /** Σ requested bytes. */
  requested: number;
}

/**
 * What PyTorch's CUDA caching allocator counts as allocated for a sequence of live (never freed)
 * requests, from a fresh allocator: each request rounds up to 512 B (`round_size`), takes the smallest
 * cached free block that fits (`get_free_block`, best fit) or a new segment (`get_allocation_size`), and
 * keeps the whole block when the remainder is too small to split (`should_split`: < 512 B in the small
 * pool, ≤ 1 MiB in the large pool). The unsplit remainders are why "Model loading took" exceeds the
 * tensors' bytes.
 * @param requests bytes of each allocation, in creation order
 */
export function cudaAllocatedBytes(requests: readonly number[]): CudaAllocation {
  const free = { small: [] as number[], large: [] as number[] };
  let allocated = 0;
  let reserved = 0;
  let requested = 0;
  for (const req of requests) {
    requested += req;
    const size = Math.max(MIN_BLOCK, Math.ceil(req / MIN_BLOCK) * MIN_BLOCK);
    const small = size <= SMALL_SIZE;
    const pool = small ? free.small : free.large;
    let best = -1;
    for (let i = 0; i < pool.length; i++) if (pool[i]! >= size && (best < 0 || pool[i]! < pool[best]!)) best = i;
    let block: number;
    if (best >= 0) {
      block = pool[best]!;
      pool.splice(best, 1);
    } else {
      block = small
        ? SMALL_BUFFER
        : size < MIN_LARGE_ALLOC
          ? LARGE_BUFFER
          : Math.ceil(size / ROUND_LARGE) * ROUND_LARGE;
      reserved += block;
    }
    const remaining = block - size;
    if (small ? remaining >= MIN_BLOCK : remaining > SMALL_SIZE) {
      pool.push(remaining);
      allocated += size;
    } else {
      allocated += block;
    }
  }
  return { allocated, reserved, requested };
}
