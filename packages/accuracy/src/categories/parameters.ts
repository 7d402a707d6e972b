import { countParameters, synthesizeTensors } from '@vramkit/core';
import { catalogueModel as catalogueArchitecture, findInCatalogue, normalizeConfig } from '@vramkit/models';
import { readdirSync } from 'node:fs';
import type { AccuracyCase, AccuracyCategory } from '../report.js';
import { catalogueModel, readRepoJson, repoPath, validationFixture } from '../repository.js';

/** transformers' `named_parameters()` (+ persistent buffers) for every catalogue config. */
function transformersCases(): { source: string; cases: AccuracyCase[] } {
  const f = validationFixture<{ models: Record<string, { total: number; checkpointBuffers: number }> }>(
    'parameters.json',
  );
  const source = `transformers ${f.versions.transformers} from_config on the meta device (validation/parameters.py)`;
  return {
    source,
    cases: Object.entries(f.models).map(([id, r]) => ({
      id,
      expected: r.total + r.checkpointBuffers,
      actual: catalogueModel(id).parameters.total,
      unit: 'count',
      source,
    })),
  };
}

type ParamsRecord = { model: string; params: number | null; params_exact: boolean; source: string };

/** Published safetensors-header totals (packages/models' params.json) whose config the repository holds. */
function publishedCases(): AccuracyCase[] {
  const records = readRepoJson<ParamsRecord[]>('packages/models/src/__fixtures__/params.json');
  const configs = new Map(
    readdirSync(repoPath('packages/fixtures/configs'))
      .filter((f) => f.endsWith('.json') && f !== 'SOURCES.json')
      .map((f) => [f.replace('.json', '').replace('__', '/').toLowerCase(), `packages/fixtures/configs/${f}`]),
  );
  const out: AccuracyCase[] = [];
  for (const r of records) {
    // Seed 003's per-part figures are their own cases below.
    if (!r.params_exact || r.params === null || r.model.startsWith('seed-003')) continue;
    let arch: ReturnType<typeof normalizeConfig>['architecture'];
    if (findInCatalogue(r.model)) arch = catalogueArchitecture(r.model).architecture;
    else {
      const file =
        configs.get(r.model.toLowerCase()) ?? configs.get(r.model.toLowerCase().replace('llama-3.1', 'meta-llama-3.1'));
      if (!file) continue;
      arch = normalizeConfig(readRepoJson(file)).architecture;
    }
    out.push({
      id: `${r.model} (published total)`,
      expected: r.params,
      actual: countParameters(synthesizeTensors(arch), arch).total,
      unit: 'count',
      source: r.source,
    });
  }
  return out;
}

/** Seed 003's measured per-part counts of its Qwen3-8B-style MHA model. */
function seed003Cases(): AccuracyCase[] {
  const arch = normalizeConfig(readRepoJson('packages/fixtures/configs/seed-003__qwen3-8b-mha.json')).architecture;
  const p = countParameters(synthesizeTensors(arch), arch);
  const layers = arch.layers.length;
  const source = 'seed 003 (measured)';
  const c = (id: string, expected: number, actual: number): AccuracyCase => ({
    id: `seed-003 ${id}`,
    expected,
    actual,
    unit: 'count',
    source,
  });
  return [
    c('total', 7_721_988_096, p.total),
    c('embedding', 622_854_144, p.parts.embedding ?? 0),
    c('lm_head', 622_854_144, p.parts.lmHead ?? 0),
    c('attention per layer (+ q/k norms)', 67_108_864 + 256, (p.parts.attention ?? 0) / layers),
    c('MLP per layer', 135_266_304, (p.parts.mlp ?? 0) / layers),
  ];
}

/** Parameter counts: exact against transformers and against every published total. */
export function parameters(): AccuracyCategory {
  const t = transformersCases();
  return {
    key: 'parameters',
    name: 'parameters',
    target: 0,
    source: `${t.source}; safetensors header totals (huggingface.js tests); seed 003`,
    cases: [...t.cases, ...publishedCases(), ...seed003Cases()],
  };
}
