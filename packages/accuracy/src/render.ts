/** The report as text: the summary table (README, terminal) and per-category detail (docs page). */
import { type AccuracyCase, type AccuracyCategory, relativeError, summarize } from './report.js';

/** A relative error as a percentage: one decimal, three below 0.1%, and `<0.001%` for a nonzero error below that. */
export const percent = (x: number) =>
  x > 0 && x < 0.000005 ? '<0.001%' : `${(x * 100).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`;

const target = (c: AccuracyCategory) => (c.target === 0 ? 'exact' : `±${percent(c.target)}`);

/** Markdown-safe cell text (pipes, angle brackets, Vue's mustaches). */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\{\{/g, '{ {');

/** A figure in its unit, as its source prints it. */
export function figure(x: number, unit: AccuracyCase['unit']): string {
  if (unit === 'count' || unit === 'bytes' || unit === 'blocks')
    return `${x.toLocaleString('en-US')}${unit === 'count' ? '' : ` ${unit === 'bytes' ? 'B' : 'blocks'}`}`;
  return `${x.toFixed(unit === 'GiB' ? 3 : 2)} ${unit}`;
}

/** The summary table, one row per category. */
export function summaryTable(cats: AccuracyCategory[]): string {
  const lines = [
    '| category | cases | exact | median error | worst error | target | outside |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of cats) {
    const s = summarize(c);
    lines.push(
      `| ${c.name} | ${s.cases} | ${s.exact} | ${percent(s.median)} | ${percent(s.worst)} | ${target(c)} | ${s.outside.length} |`,
    );
  }
  return lines.join('\n');
}

/** Every case outside its target, with its cause, as a markdown list (empty when none). */
export function outsideList(cats: AccuracyCategory[]): string {
  const out: string[] = [];
  for (const c of cats)
    for (const o of summarize(c).outside)
      out.push(
        `- ${c.name} ${cell(o.id)}: expected ${figure(o.expected, o.unit)}, got ${figure(o.actual, o.unit)} (${percent(relativeError(o))}): ${cell(o.cause ?? 'no cause recorded')}`,
      );
  return out.join('\n');
}

/** The summary table followed by the cases outside their target (terminal and README). */
export function renderAccuracy(cats: AccuracyCategory[]): string {
  const outside = outsideList(cats);
  return `${summaryTable(cats)}\n${outside ? `\nOutside the target:\n\n${outside}\n` : ''}`;
}

const sourceCell = (s: string) => (/^https?:\/\/\S+$/.test(s) ? `[link](${s})` : cell(s));

/** One category's cases as a markdown table (the docs page's detail). */
export function detailTable(c: AccuracyCategory): string {
  const lines = ['| case | expected | vramkit | error | source |', '|---|---:|---:|---:|---|'];
  for (const x of c.cases) {
    const e = relativeError(x);
    lines.push(
      `| ${cell(x.id)} | ${figure(x.expected, x.unit)} | ${figure(x.actual, x.unit)} | ${e === 0 ? 'exact' : percent(e)} | ${sourceCell(x.source ?? c.source)} |`,
    );
  }
  return lines.join('\n');
}
