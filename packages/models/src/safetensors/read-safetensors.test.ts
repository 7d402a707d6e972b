import { type Tensor, synthesizeTensors, tensorElements } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { listCatalogue } from '../catalogue/catalogue.js';
import { normalizeConfig } from '../normalize/normalize-config.js';
import { checkpointTensors } from '../testing/fixture-repos.js';
import { buildSafetensorsFile } from '../testing/safetensors-writer.js';
import { parseSafetensorsHeader } from './parse-header.js';
import { inventoryFromHeaders, pickSafetensorsFiles } from './read-safetensors.js';

function byRole(tensors: readonly Tensor[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tensors)
    if (tensorElements(t) > 0)
      out[`${t.role}${t.mtp ? '+mtp' : ''}`] = (out[`${t.role}${t.mtp ? '+mtp' : ''}`] ?? 0) + tensorElements(t);
  return out;
}

// The three largest checkpoints (DeepSeek-V3/R1, Kimi-K2: 45k–70k expert tensors) are left to the benchmark.
const entries = listCatalogue().filter((e) => !/DeepSeek-V3|DeepSeek-R1|Kimi-K2/.test(e.id));

describe('inventoryFromHeaders', () => {
  it.each(entries.map((e) => [e.id, e.config] as const))(
    'classifies every tensor of %s into the roles core synthesizes',
    (_id, config) => {
      const arch = normalizeConfig(config).architecture;
      const file = buildSafetensorsFile(checkpointTensors(arch));
      const inv = inventoryFromHeaders(
        [{ file: 'model.safetensors', header: parseSafetensorsHeader(file.head, 'model.safetensors', file.size) }],
        arch.mtpLayers > 0 ? arch.layers.length : undefined,
      );
      expect(byRole(inv.tensors)).toEqual(byRole(synthesizeTensors(arch)));
    },
  );
});

describe('pickSafetensorsFiles', () => {
  it('prefers model.safetensors, then model-0000i-of-0000N shards, then the index, then any root file', () => {
    expect(pickSafetensorsFiles(['model.safetensors', 'consolidated.safetensors'])).toEqual({
      files: ['model.safetensors'],
    });
    expect(
      pickSafetensorsFiles([
        'model-00002-of-00002.safetensors',
        'model-00001-of-00002.safetensors',
        'consolidated.safetensors',
      ]),
    ).toEqual({
      files: ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'],
    });
    expect(pickSafetensorsFiles(['model.safetensors.index.json', 'weights-a.safetensors'])).toEqual({
      files: [],
      index: 'model.safetensors.index.json',
    });
    expect(pickSafetensorsFiles(['consolidated.safetensors', 'sub/x.safetensors'])).toEqual({
      files: ['consolidated.safetensors'],
    });
  });
});
