import { estimateTraining } from '@vramkit/core';
import { QLORA_BASE_FORMAT } from '../../../../apps/cli/src/train/qlora-format.js';
import { cases as measuredCases, measuredBytes } from '../../../core/src/training/__fixtures__/measured-cases.js';
import type { AccuracyCategory } from '../report.js';

/**
 * Measured training peaks (core's copy of training_measured.json) against estimateTraining with the
 * workload modelled for each record in measured-cases.ts (which lists every skipped record and why).
 */
export function trainingPeaks(): AccuracyCategory {
  return {
    key: 'training',
    name: 'training peaks',
    target: 0.2,
    source: 'measured runs in training_measured.json (torchtune, Megatron-LM PR #482), modelled in measured-cases.ts',
    cases: measuredCases.map((c) => {
      const e = estimateTraining(
        c.options.method === 'qlora' ? { ...c.options, baseFormat: QLORA_BASE_FORMAT } : c.options,
      );
      return {
        id: `${c.id} (${c.assume})`,
        expected: measuredBytes(c.id) / 2 ** 30,
        actual: (c.compare === 'allocated' ? e.peakAllocated : e.total) / 2 ** 30,
        unit: 'GiB',
      };
    }),
  };
}
