import { describe, expect, it } from 'vitest';
import { accuracyReport, renderAccuracy, summarize } from './accuracy.js';

// `npm run accuracy` runs this file: it prints the table (also in validation/README.md) and fails when
// a case leaves its target without a recorded cause, or the training median exceeds 10%.
describe('accuracy report', () => {
  const cats = accuracyReport();
  it('prints every category', () => {
    process.stdout.write(`\n${renderAccuracy(cats)}\n`);
    expect(cats.map((c) => c.name)).toEqual([
      'parameters',
      'LoRA counts',
      'training peaks',
      'saved activations (per layer)',
      'logits/loss peak',
    ]);
    for (const c of cats) expect(c.cases.length).toBeGreaterThan(0);
  });

  it.each(cats.map((c) => [c.name, c] as const))('%s: every case outside its target has a cause', (_name, c) => {
    expect(
      summarize(c)
        .outside.filter((o) => !o.cause)
        .map((o) => o.id),
    ).toEqual([]);
  });

  it('training peaks: median within 10%', () => {
    expect(summarize(cats.find((c) => c.name === 'training peaks')!).median).toBeLessThan(0.1);
  });
});
