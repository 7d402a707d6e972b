import { describe, expect, it } from 'vitest';
import { percent, renderAccuracy } from './render.js';
import { BEGIN, END, withReport } from './readme.js';
import { type AccuracyCategory, relativeError, summarize, unexplained } from './report.js';

const cat = (cases: AccuracyCategory['cases'], target = 0.05): AccuracyCategory => ({
  key: 'k',
  name: 'kind',
  target,
  source: 'test',
  cases,
});

describe('summarize', () => {
  it('counts exact cases and takes the median and worst relative error', () => {
    const s = summarize(
      cat([
        { id: 'a', expected: 100, actual: 100, unit: 'count' },
        { id: 'b', expected: 100, actual: 102, unit: 'count' },
        { id: 'c', expected: 100, actual: 90, unit: 'count' },
      ]),
    );
    expect(s).toMatchObject({ cases: 3, exact: 1, worst: 0.1 });
    expect(s.median).toBeCloseTo(0.02, 12);
    expect(s.outside.map((o) => o.id)).toEqual(['c']);
  });

  it('an answer within the printed precision is exact, one digit beyond it is not', () => {
    expect(relativeError({ id: 'a', expected: 1.25, actual: 1.2549, unit: 'MiB', resolution: 0.005 })).toBe(0);
    expect(relativeError({ id: 'a', expected: 1.25, actual: 1.2551, unit: 'MiB', resolution: 0.005 })).toBeGreaterThan(
      0,
    );
    expect(relativeError({ id: 'a', expected: 0, actual: 1, unit: 'count' })).toBe(1);
  });

  it('a case outside its target without a cause is unexplained; with one it is listed with it', () => {
    const c = cat([
      { id: 'off', expected: 10, actual: 20, unit: 'count' },
      { id: 'known', expected: 10, actual: 20, unit: 'count', cause: 'because' },
    ]);
    expect(unexplained([c])).toEqual([{ category: 'kind', id: 'off' }]);
    const text = renderAccuracy([c]);
    expect(text).toContain('| kind | 2 | 0 | 100.0% | 100.0% | ±5.0% | 2 |');
    expect(text).toContain('- kind known: expected 10, got 20 (100.0%): because');
    expect(text).toContain('- kind off: expected 10, got 20 (100.0%): no cause recorded');
  });
});

describe('percent', () => {
  it('never prints a nonzero error as 0', () => {
    expect(percent(0)).toBe('0.0%');
    expect(percent(0.0000001)).toBe('<0.001%');
    expect(percent(0.00002)).toBe('0.002%');
    expect(percent(0.123)).toBe('12.3%');
  });
});

describe('withReport', () => {
  it('replaces only the text between the markers', () => {
    const readme = `# Data\n\nintro\n\n${BEGIN}\n\nold table\n\n${END}\n\nafter\n`;
    expect(withReport(readme, 'new table\n')).toBe(`# Data\n\nintro\n\n${BEGIN}\n\nnew table\n\n${END}\n\nafter\n`);
  });

  it('refuses a README without both markers, or with them twice', () => {
    expect(() => withReport('# no markers', 'x')).toThrow(/needs exactly one/);
    expect(() => withReport(`${END}\n${BEGIN}`, 'x')).toThrow(/needs exactly one/);
    expect(() => withReport(`${BEGIN}\n${END}\n${BEGIN}\n${END}`, 'x')).toThrow(/needs exactly one/);
  });
});
