import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accuracyReport, renderAccuracy, summarize, unexplained } from './index.js';
import { README_PATH, WRITE_ENV, withReport } from './readme.js';
import { repoPath } from './repository.js';

// `npm run accuracy` runs this project: it prints the report and fails when a case leaves its target
// without a recorded cause, the training median exceeds 10%, or validation/README.md's table is stale.
describe('accuracy report', () => {
  const cats = accuracyReport();
  const text = renderAccuracy(cats);

  it('prints every category, each with cases', () => {
    process.stdout.write(`\n${text}\n`);
    // The logits/loss peak joins once the activation fixture records it.
    const loss = cats.some((c) => c.key === 'loss') ? ['loss'] : [];
    expect(cats.map((c) => c.key)).toEqual([
      'parameters',
      'lora',
      'gguf',
      'llama-cpp-buffers',
      'llama-cpp-compute',
      'vllm',
      'training',
      'activations',
      ...loss,
      'seed-002',
    ]);
    for (const c of cats) expect(c.cases.length, c.name).toBeGreaterThan(0);
  });

  it('every case outside its target has a cause', () => {
    expect(unexplained(cats)).toEqual([]);
  });

  it('every compared figure is a finite number', () => {
    const bad = cats.flatMap((c) => c.cases.filter((x) => !Number.isFinite(x.actual) || !Number.isFinite(x.expected)));
    expect(bad.map((x) => x.id)).toEqual([]);
  });

  it('training peaks: median within 10% (issue 14)', () => {
    expect(summarize(cats.find((c) => c.key === 'training')!).median).toBeLessThan(0.1);
  });

  it(`${README_PATH} carries the current table`, () => {
    const path = repoPath(README_PATH);
    const current = readFileSync(path, 'utf8');
    const next = withReport(current, text);
    if (process.env[WRITE_ENV] === '1') writeFileSync(path, next);
    else expect(current, `stale: run ${WRITE_ENV}=1 npm run accuracy`).toBe(next);
  });
});
