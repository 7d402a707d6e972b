import { type BreakdownPart, part } from '../memory/breakdown.js';

/** Known optimizers (`--optimizer`), named as in HF `TrainingArguments.optim` where one exists. */
export const OPTIMIZER_IDS = [
  'adamw',
  'adamw_bf16',
  'adamw_8bit',
  'torchao_adamw_8bit',
  'paged_adamw',
  'paged_adamw_8bit',
  'adafactor',
  'sgd',
  'sgd_momentum',
  'lion',
  'lion_8bit',
  'muon',
] as const;
export type OptimizerId = (typeof OPTIMIZER_IDS)[number];

/** What `step()` allocates besides the states, per optimizer (policy as data, used by estimateTraining). */
export interface OptimizerStepSpec {
  /** torch's foreach implementation builds one state-sized temporary list (sqrt of exp_avg_sq) in step(). */
  foreachTemporary: boolean;
  /** Bytes per element of the largest tensor dequantized during its update (torchao AdamW8bit: two fp32 states). */
  dequantizedBytesPerElement: number;
}

/** Step temporaries of every optimizer (torch/optim/adamw.py _multi_tensor_adamw; torchao optim/subclass_8bit.py). */
export const OPTIMIZER_STEP: Record<OptimizerId, OptimizerStepSpec> = {
  adamw: { foreachTemporary: true, dequantizedBytesPerElement: 0 },
  adamw_bf16: { foreachTemporary: true, dequantizedBytesPerElement: 0 },
  adamw_8bit: { foreachTemporary: false, dequantizedBytesPerElement: 0 },
  torchao_adamw_8bit: { foreachTemporary: false, dequantizedBytesPerElement: 8 },
  paged_adamw: { foreachTemporary: true, dequantizedBytesPerElement: 0 },
  paged_adamw_8bit: { foreachTemporary: false, dequantizedBytesPerElement: 0 },
  adafactor: { foreachTemporary: false, dequantizedBytesPerElement: 0 },
  sgd: { foreachTemporary: false, dequantizedBytesPerElement: 0 },
  sgd_momentum: { foreachTemporary: false, dequantizedBytesPerElement: 0 },
  lion: { foreachTemporary: false, dequantizedBytesPerElement: 0 },
  lion_8bit: { foreachTemporary: false, dequantizedBytesPerElement: 0 },
  muon: { foreachTemporary: false, dequantizedBytesPerElement: 0 },
};

/** One trainable parameter tensor (or `count` identical ones, e.g. per-expert LoRA matrices). */
export interface TrainableTensor {
  name: string;
  shape: readonly number[];
  count: number;
  /** A 2-D hidden-layer matrix (Muon orthogonalizes these; embeddings, head and vectors go to AdamW). */
  hiddenMatrix: boolean;
}

/** Optimizer state bytes with what may be paged to host memory. */
export interface OptimizerStateBytes extends BreakdownPart {
  /** Bytes in bitsandbytes paged (unified-memory) buffers, which the driver evicts to CPU under pressure. */
  pagedBytes: number;
}

// bitsandbytes bitsandbytes/optim/optimizer.py (Optimizer8bit / Optimizer2State.init_state):
// tensors with fewer than min_8bit_size = 4096 elements keep fp32 states; block-wise states store
// one uint8 per element plus one fp32 absmax per 256-element block (2048 in releases before 0.45).
const BNB_MIN_8BIT_SIZE = 4096;
const BNB_BLOCK = 256;
// get_state_buffer: only tensors of at least 1e5 elements are allocated with the paged allocator.
const BNB_PAGED_MIN = 100_000;
// name2qmap "dynamic" and "udynamic": 256 fp32 entries each, one copy on the device.
const BNB_QMAP_BYTES = 2 * 256 * 4;

function elements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function eightBitStates(n: number, states: number): number {
  if (n < BNB_MIN_8BIT_SIZE) return states * 4 * n;
  return states * (n + 4 * Math.ceil(n / BNB_BLOCK));
}

/**
 * Bytes of optimizer state for a set of trainable tensors, exact from their shapes.
 * - AdamW: `exp_avg` + `exp_avg_sq`, each in `stateBytes` (torch/optim/adamw.py, zeros_like(param)).
 * - 8-bit AdamW / Lion (bitsandbytes): uint8 states + fp32 absmax per 256-block; fp32 below 4096 elements.
 * - Paged variants: same bytes, in unified memory (tensors ≥ 1e5 elements) that pages to CPU under pressure.
 * - Adafactor (transformers optimization.py): for ≥2-D tensors a row vector `shape[:-1]` and a column
 *   vector `shape[:-2] + shape[-1:]` in fp32; full fp32 `exp_avg_sq` for vectors; no momentum (beta1=None).
 * - SGD: none; with momentum one `momentum_buffer` like the gradient.
 * - Lion (Chen et al. 2023): one `exp_avg`.
 * - Muon (Keller Jordan, github.com/KellerJordan/Muon muon.py): one momentum buffer for 2-D hidden
 *   matrices; everything else uses AdamW (two states).
 * @param tensors trainable tensors with multiplicity
 * @param optimizer optimizer id
 * @param stateBytes bytes per element of full-precision states (4 fp32, 2 bf16)
 * @returns bytes with a per-state breakdown and the pageable share
 */
export function optimizerStateBytes(
  tensors: readonly TrainableTensor[],
  optimizer: OptimizerId,
  stateBytes: number,
): OptimizerStateBytes {
  let bytes = 0;
  let paged = 0;
  let fallback32 = 0;
  for (const t of tensors) {
    const n = elements(t.shape);
    let b = 0;
    switch (optimizer) {
      case 'adamw':
      case 'paged_adamw':
        b = 2 * n * stateBytes;
        break;
      case 'adamw_bf16':
        b = 2 * n * 2;
        break;
      case 'adamw_8bit':
      case 'paged_adamw_8bit':
        b = eightBitStates(n, 2);
        if (n < BNB_MIN_8BIT_SIZE) fallback32 += t.count * b;
        break;
      case 'torchao_adamw_8bit':
        // torchao prototype/low_bit_optim: 8-bit states with an fp32 scale per 256-block for tensors of
        // ≥ 4096 elements divisible by 256; others keep fp32 states.
        b = n >= BNB_MIN_8BIT_SIZE && n % BNB_BLOCK === 0 ? 2 * (n + 4 * (n / BNB_BLOCK)) : 2 * 4 * n;
        break;
      case 'lion_8bit':
        b = eightBitStates(n, 1);
        if (n < BNB_MIN_8BIT_SIZE) fallback32 += t.count * b;
        break;
      case 'adafactor':
        if (t.shape.length >= 2) {
          const cols = t.shape[t.shape.length - 1]!;
          const rows = n / cols;
          const lead = rows / t.shape[t.shape.length - 2]!;
          b = 4 * (rows + lead * cols);
        } else {
          b = 4 * n;
        }
        break;
      case 'sgd':
        b = 0;
        break;
      case 'sgd_momentum':
      case 'lion':
        b = n * stateBytes;
        break;
      case 'muon':
        b = t.hiddenMatrix ? n * stateBytes : 2 * n * stateBytes;
        break;
    }
    bytes += t.count * b;
    if ((optimizer === 'paged_adamw' || optimizer === 'paged_adamw_8bit') && n >= BNB_PAGED_MIN) paged += t.count * b;
  }
  const bnb = optimizer === 'adamw_8bit' || optimizer === 'paged_adamw_8bit' || optimizer === 'lion_8bit';
  if (bnb && tensors.length > 0) bytes += BNB_QMAP_BYTES;
  const note = OPTIMIZER_NOTES[optimizer](stateBytes);
  const result = part(bytes, note, {
    accuracy: 'exact',
    source: OPTIMIZER_SOURCES[optimizer],
    ...(bnb
      ? {
          parts: {
            fp32Fallback: part(
              fallback32,
              `tensors under ${BNB_MIN_8BIT_SIZE} elements keep 32-bit states (min_8bit_size)`,
            ),
          },
        }
      : {}),
  });
  return { ...result, pagedBytes: paged };
}

const OPTIMIZER_NOTES: Record<OptimizerId, (s: number) => string> = {
  adamw: (s) => `AdamW: exp_avg + exp_avg_sq = 2 × ${s} B per trainable element`,
  adamw_bf16: () => 'AdamW with bf16 states: 2 × 2 B per trainable element',
  adamw_8bit: () => `8-bit AdamW: 2 × (1 B + 4 B per ${BNB_BLOCK}-block absmax) per element`,
  torchao_adamw_8bit: () =>
    `torchao AdamW8bit: 2 × (1 B + 4 B per ${BNB_BLOCK}-block scale) per element; fp32 dequantized states of one tensor during its step`,
  paged_adamw: (s) => `paged AdamW: 2 × ${s} B per element in unified memory`,
  paged_adamw_8bit: () => `paged 8-bit AdamW: 2 × (1 B + 4 B / ${BNB_BLOCK}) per element in unified memory`,
  adafactor: () => 'Adafactor: fp32 row + column second moments per matrix, full fp32 for vectors, no momentum',
  sgd: () => 'SGD without momentum: no state',
  sgd_momentum: (s) => `SGD momentum buffer: ${s} B per element`,
  lion: (s) => `Lion: one exp_avg of ${s} B per element`,
  lion_8bit: () => `8-bit Lion: 1 B + 4 B per ${BNB_BLOCK}-block absmax per element`,
  muon: (s) =>
    `Muon: one ${s} B momentum per hidden-matrix element; AdamW (2 × ${s} B) for embeddings, head and vectors`,
};

const BNB_SOURCE =
  'bitsandbytes bitsandbytes/optim/optimizer.py (Optimizer2State/Optimizer1State.init_state: uint8 state + fp32 absmax per 256 elements, min_8bit_size 4096)';
const OPTIMIZER_SOURCES: Record<OptimizerId, string> = {
  adamw: 'torch/optim/adamw.py (_init_group: exp_avg, exp_avg_sq = zeros_like(param))',
  adamw_bf16:
    'torch/optim/adamw.py with states cast to bf16 (e.g. torchao/optimizers or HF optim="adamw_torch" on a bf16 model)',
  adamw_8bit: BNB_SOURCE,
  torchao_adamw_8bit:
    'torchao/prototype/low_bit_optim (AdamW8bit: OptimState8bit block_size 256; single_param_adam dequantizes to fp32 per step)',
  paged_adamw:
    'bitsandbytes paged optimizers: get_state_buffer uses cudaMallocManaged pages for tensors ≥ 1e5 elements',
  paged_adamw_8bit: `${BNB_SOURCE}; paged via cudaMallocManaged for tensors ≥ 1e5 elements`,
  adafactor: 'transformers/optimization.py Adafactor (factored second moment when len(shape) ≥ 2; states in fp32)',
  sgd: 'torch/optim/sgd.py (no state when momentum = 0)',
  sgd_momentum: 'torch/optim/sgd.py (momentum_buffer = clone of the gradient)',
  lion: 'Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms" (one momentum state); lion-pytorch',
  lion_8bit: BNB_SOURCE,
  muon: 'github.com/KellerJordan/Muon muon.py (momentum_buffer for ≥2-D hidden weights; AdamW for the rest)',
};
