import { GIB, synthesizeTensors, weightBytes } from '@vramkit/core';
import { catalogueModel } from '@vramkit/models';
import { llamaFileTypeFormat } from '@vramkit/quant';
import type { AccuracyCategory } from '../report.js';
import { readRepoJson } from '../repository.js';

type SizeRecord = { model: string; quant: string; bytes_or_GB_as_stated: string; source: string };

/**
 * llama.cpp's quantize README sizes for Llama-3.1-8B (GiB, two decimals), predicted from config.json by
 * each file type's tensor recipe in @vramkit/quant.
 */
export function ggufSizes(): AccuracyCategory {
  const sizes = readRepoJson<SizeRecord[]>('packages/quant/src/__fixtures__/gguf_sizes.json');
  const arch = catalogueModel('meta-llama/Llama-3.1-8B').architecture;
  const tensors = synthesizeTensors(arch);
  const ctx = { arch, numLayers: arch.layers.length };
  return {
    key: 'gguf',
    name: 'GGUF sizes',
    target: 0.01,
    source: 'llama.cpp tools/quantize/README.md size column (GiB) for meta-llama/Llama-3.1-8B',
    cases: sizes
      .filter((s) => s.model === 'meta-llama/Llama-3.1-8B' && s.bytes_or_GB_as_stated.endsWith('GiB'))
      .map((s) => ({
        id: `Llama-3.1-8B ${s.quant}`,
        expected: Number.parseFloat(s.bytes_or_GB_as_stated),
        actual: weightBytes(tensors, llamaFileTypeFormat(s.quant), ctx).total / GIB,
        unit: 'GiB',
        // The README prints two decimals.
        resolution: 0.005,
        source: s.source,
      })),
  };
}
