import { InvalidInputError, peftPrintedCounts, resolveAdapters } from '@vramkit/core';
import { describe, expect, it } from 'vitest';
import { catalogueModel, validationFixture } from './fixtures.js';

interface GridRow {
  id: string;
  r: number;
  /** null: peft's target_modules=None (target_parameters alone). */
  targets: string[] | 'all-linear' | null;
  dora?: boolean;
  save?: string[];
  /** `fused`: target_parameters on every fused expert parameter; a name: that parameter only. */
  experts?: string;
}
type Result = { trainable: number; all: number; targetParameters?: string[] } | { error: string } | { skipped: string };
const fixture = validationFixture<{ grid: GridRow[]; models: Record<string, Record<string, Result>> }>('lora.json');

const cases = Object.entries(fixture.models).flatMap(([id, rows]) =>
  fixture.grid.flatMap((g) => {
    const rec = rows[g.id];
    if (!rec || 'skipped' in rec) return [];
    return [{ id, g, rec }];
  }),
);

describe(`LoRA/DoRA counts against peft ${fixture.versions.peft} on transformers ${fixture.versions.transformers} (fused experts)`, () => {
  it('has a grid for every model', () => {
    expect(Object.keys(fixture.models).length).toBeGreaterThanOrEqual(5);
    expect(cases.length).toBeGreaterThan(20);
  });

  it('checks target_parameters on the natively fused experts (gpt-oss, Llama 4) at several settings', () => {
    const native = cases.filter(
      (c) => c.g.experts && /gpt-oss|Llama-4/.test(c.id) && 'trainable' in c.rec && c.rec.targetParameters,
    );
    expect(native.length).toBeGreaterThanOrEqual(3 * 4);
  });

  it.each(cases)('$id $g.id', ({ id, g, rec }) => {
    const model = catalogueModel(id);
    const targetParameters = 'trainable' in rec ? rec.targetParameters : undefined;
    const run = () =>
      resolveAdapters(model, {
        rank: g.r,
        targets: g.targets ?? [],
        ...(g.dora ? { dora: true } : {}),
        ...(g.save ? { modulesToSave: g.save } : {}),
        ...(targetParameters ? { targetParameters } : {}),
        expertLayout: 'fused',
      });
    if ('error' in rec) {
      // peft raises (no module matches, or DoRA on fused experts): so does vramkit, with a typed error.
      expect(run).toThrow(InvalidInputError);
      return;
    }
    const plan = run();
    expect(plan.trainable).toBe(rec.trainable);
    expect(peftPrintedCounts(model, plan).all).toBe(rec.all);
  });
});
