import { type BreakdownPart, part } from '../memory/breakdown.js';
import type { ModelStates } from './model-states.js';
import type { ResolvedTrainingWorkload } from './workload.js';

/** Model states left on the GPU once offloaded and paged parts moved to host memory or NVMe. */
export interface StatePlacement {
  gpu: { trainWeights: number; master: number; frozen: number; optimizer: number; gradients: number };
  /** Host-memory parts per rank, by kind. */
  host: Record<string, BreakdownPart>;
  /** Bytes on NVMe (ZeRO-Infinity) per rank. */
  nvme: number;
  /** Whether the optimizer states (and the step) live on the CPU. */
  optimizerOffloaded: boolean;
}

const OFFLOAD_SOURCE = 'ZeRO-Offload (Ren et al. 2021) / ZeRO-Infinity (Rajbhandari et al. 2021)';
// deepspeed/runtime/zero/offload_config.py: buffer_count 4 (optimizer), buffer_size 1e8 elements, pinned fp32.
const NVME_SWAP_BUFFERS = { count: 4, elements: 1e8, bytesPerElement: 4 } as const;

/**
 * Where the model states live: ZeRO-Offload / ZeRO-Infinity move optimizer states, fp32 master and
 * the fp32 gradient partition (and with `optimizer+params` the 16-bit parameters) to CPU or NVMe; a
 * bitsandbytes paged optimizer the driver evicted counts in host memory.
 * @param degree the sharding degree (the fp32 gradient partition of the CPU optimizer is T / degree)
 */
export function placeStates(
  states: ModelStates,
  parallel: ResolvedTrainingWorkload['parallel'],
  pagedOptimizer: ResolvedTrainingWorkload['pagedOptimizer'],
  degree: number,
): StatePlacement {
  const offOpt = parallel.offload !== 'none';
  const offParams = parallel.offload === 'optimizer+params';
  const nvme = parallel.offloadDevice === 'nvme';
  const moved: [string, number, string][] = [
    ...(offOpt
      ? ([
          ['optimizer', states.optimizer, 'optimizer states of this rank'],
          ['master', states.master, 'fp32 master weights of this rank'],
          // DeepSpeed's CPU Adam steps on fp32 gradient partitions held in host memory.
          ['gradients', (states.trainableParams * 4) / degree, 'fp32 gradient partition for the CPU optimizer step'],
        ] as [string, number, string][])
      : []),
    ...(offParams
      ? ([
          [
            'parameters',
            states.trainWeights + states.frozen,
            '16-bit parameter partition (ZeRO-Infinity / FSDP CPUOffload)',
          ],
        ] as [string, number, string][])
      : []),
  ];
  const evicted = pagedOptimizer === 'evicted' && states.pagedOptimizer > 0 && !offOpt;
  const host: Record<string, BreakdownPart> = {
    ...(evicted
      ? {
          pagedOptimizer: part(
            states.pagedOptimizer,
            'paged optimizer states evicted to CPU by unified memory (bitsandbytes paged optimizer)',
            { source: 'bitsandbytes optim paged buffers (cudaMallocManaged)' },
          ),
        }
      : {}),
    ...Object.fromEntries(
      moved.map(([key, bytes, note]) => [
        key,
        nvme
          ? part(0, `${note} → NVMe (${Math.ceil(bytes).toLocaleString('en-US')} B)`)
          : part(bytes, note, { source: OFFLOAD_SOURCE }),
      ]),
    ),
    ...(nvme && offOpt
      ? {
          pinnedBuffers: part(
            NVME_SWAP_BUFFERS.count * NVME_SWAP_BUFFERS.elements * NVME_SWAP_BUFFERS.bytesPerElement,
            'pinned NVMe swap buffers: buffer_count 4 × buffer_size 1e8 × 4 B',
            { source: 'deepspeed/runtime/zero/offload_config.py defaults' },
          ),
        }
      : {}),
  };
  return {
    gpu: {
      trainWeights: offParams ? 0 : states.trainWeights,
      master: offOpt ? 0 : states.master,
      frozen: offParams ? 0 : states.frozen,
      optimizer: offOpt ? 0 : evicted ? states.optimizer - states.pagedOptimizer : states.optimizer,
      gradients: offOpt ? 0 : states.gradients,
    },
    host,
    nvme: nvme ? moved.reduce((s, [, bytes]) => s + Math.ceil(bytes), 0) : 0,
    optimizerOffloaded: offOpt,
  };
}
