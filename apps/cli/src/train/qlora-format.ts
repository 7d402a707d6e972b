import type { WeightFormat } from '@vramkit/core';
import { builtinFormats } from '@vramkit/quant';

/**
 * The frozen base of `--method qlora` without `--quant`: the QLoRA paper's NF4 with double
 * quantization (Dettmers et al. 2023 §3), the very `bnb-nf4-dq` entry `--quant` resolves, so both
 * spellings give the same bytes.
 */
export const QLORA_BASE_FORMAT = builtinFormats['bnb-nf4-dq'] as WeightFormat;
