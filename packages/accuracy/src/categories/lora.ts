import { peftPrintedCounts, prepareModel, resolveAdapters } from '@vramkit/core';
import { catalogueModel as catalogueArchitecture, findInCatalogue } from '@vramkit/models';
import type { AccuracyCase, AccuracyCategory } from '../report.js';
import { catalogueModel, readRepoJson, validationFixture } from '../repository.js';

type GridRow = {
  id: string;
  r: number;
  /** null: peft's target_modules=None (target_parameters alone). */
  targets: string[] | 'all-linear' | null;
  dora?: boolean;
  save?: string[];
  experts?: string;
};

/** peft's `get_nb_trainable_parameters()` over the grid of validation/lora_counts.py. */
function peftGrid(): { source: string; cases: AccuracyCase[] } {
  const f = validationFixture<{
    grid: GridRow[];
    models: Record<string, Record<string, { trainable?: number; targetParameters?: string[] }>>;
  }>('lora.json');
  const source = `peft ${f.versions.peft} get_nb_trainable_parameters() (validation/lora_counts.py)`;
  const cases: AccuracyCase[] = [];
  for (const [id, rows] of Object.entries(f.models)) {
    for (const g of f.grid) {
      const rec = rows[g.id];
      if (rec?.trainable === undefined) continue;
      const model = catalogueModel(id);
      const base = { id: `${id} ${g.id}`, expected: rec.trainable, unit: 'count', source } as const;
      const plan = resolveAdapters(model, {
        rank: g.r,
        targets: g.targets ?? [],
        ...(g.dora ? { dora: true } : {}),
        ...(g.save ? { modulesToSave: g.save } : {}),
        ...(rec.targetParameters ? { targetParameters: rec.targetParameters } : {}),
        expertLayout: 'fused',
      });
      cases.push({ ...base, actual: peftPrintedCounts(model, plan).trainable });
    }
  }
  return { source, cases };
}

type PublishedLora = {
  model: string;
  r: number;
  target_modules: string | string[] | null;
  trainable: number;
  modules_to_save: unknown;
  task_type: string;
  method: string;
  source: string;
};

/** peft's printed counts published in issues and model cards (core's lora_counts.json), for catalogue decoders. */
function published(): AccuracyCase[] {
  const { records } = readRepoJson<{ records: PublishedLora[] }>(
    'packages/core/src/training/__fixtures__/lora_counts.json',
  );
  const out: AccuracyCase[] = [];
  for (const rec of records) {
    if (rec.task_type !== 'CAUSAL_LM' || rec.modules_to_save || rec.method !== 'lora' || !findInCatalogue(rec.model))
      continue;
    const targets =
      rec.target_modules === 'default' || rec.target_modules === null
        ? 'default'
        : rec.target_modules === 'all-linear'
          ? 'all-linear'
          : (rec.target_modules as string[]);
    const model = prepareModel(catalogueArchitecture(rec.model).architecture);
    let plan: ReturnType<typeof resolveAdapters>;
    try {
      // Printed before transformers 5, with one nn.Linear per expert (core's lora.test.ts reads them so).
      plan = resolveAdapters(model, { rank: rec.r, targets, expertLayout: 'split' });
    } catch {
      // A record naming modules this architecture does not have is not comparable (core's tests list those).
      continue;
    }
    out.push({
      id: `${rec.model} r=${rec.r} ${Array.isArray(targets) ? targets.join('+') : targets} (published)`,
      expected: rec.trainable,
      actual: peftPrintedCounts(model, plan).trainable,
      unit: 'count',
      source: rec.source,
    });
  }
  return out;
}

/** LoRA trainable counts: exact against peft. */
export function lora(): AccuracyCategory {
  const g = peftGrid();
  return {
    key: 'lora',
    name: 'LoRA counts',
    target: 0,
    source: `${g.source}; published print_trainable_parameters() figures`,
    cases: [...g.cases, ...published()],
  };
}
