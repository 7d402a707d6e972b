import * as Plot from '@observablehq/plot';
import type { CalculatorResult, CurvePoint } from './library.js';

const GIB = 1024 ** 3;

/** The container carries role="img" and a label; Plot's per-mark labels are hidden from assistive technology. */
function replace(el: HTMLElement, node: Element): void {
  node.setAttribute('aria-hidden', 'true');
  el.replaceChildren(node);
}

/**
 * The breakdown as one horizontal stacked bar (GiB), with the GPU's capacity as a rule.
 * Labels are set as SVG text by Plot, never parsed as markup.
 */
export function renderBreakdownChart(el: HTMLElement | undefined, result: CalculatorResult | undefined): void {
  if (!el) return;
  if (!result) {
    el.replaceChildren();
    return;
  }
  const data = result.parts
    .filter((p) => p.bytes > 0)
    .map((p) => ({ part: p.part, gib: p.bytes / GIB, row: 'per GPU' }));
  const marks: Plot.Markish[] = [
    Plot.barX(
      data,
      Plot.stackX({
        x: 'gib',
        y: 'row',
        fill: 'part',
        title: (d: { part: string; gib: number }) => `${d.part}: ${d.gib.toFixed(2)} GiB`,
        inset: 0.5,
      }),
    ),
    Plot.textX(
      data,
      Plot.stackX({
        x: 'gib',
        y: 'row',
        text: (d: { part: string; gib: number }) => (d.gib / Math.max(result.total / GIB, 1e-9) > 0.12 ? d.part : ''),
        fill: 'white',
      }),
    ),
  ];
  if (result.capacityBytes > 0)
    marks.push(
      Plot.ruleX([result.capacityBytes / GIB], { stroke: 'currentColor', strokeWidth: 2, strokeDasharray: '4,3' }),
    );
  replace(
    el,
    Plot.plot({
      width: Math.max(320, el.clientWidth || 640),
      height: 110,
      marginLeft: 60,
      x: { label: 'GiB', grid: true, domain: [0, (Math.max(result.total, result.capacityBytes) / GIB) * 1.05] },
      y: { label: null },
      color: { legend: true, scheme: 'tableau10' },
      marks,
    }),
  );
}

/**
 * Memory against context on a log-2 axis: the estimate's curve, the GPU capacity as a horizontal rule,
 * and the longest context that fits as a vertical rule.
 */
export function renderContextChart(
  el: HTMLElement | undefined,
  points: CurvePoint[],
  result: CalculatorResult | undefined,
  mode: string,
): void {
  if (!el) return;
  if (!result || points.length === 0) {
    el.replaceChildren();
    return;
  }
  const data = points.map((p) => ({ tokens: p.tokens, gib: p.bytes / GIB }));
  const marks: Plot.Markish[] = [
    Plot.lineY(data, { x: 'tokens', y: 'gib', stroke: 'var(--vp-c-brand-1, steelblue)', strokeWidth: 2 }),
    Plot.dot(data, {
      x: 'tokens',
      y: 'gib',
      r: 2.5,
      fill: 'var(--vp-c-brand-1, steelblue)',
      title: (d: { tokens: number; gib: number }) => `${d.tokens} tokens: ${d.gib.toFixed(2)} GiB`,
    }),
  ];
  if (result.capacityBytes > 0) {
    marks.push(Plot.ruleY([result.capacityBytes / GIB], { stroke: 'crimson', strokeDasharray: '5,3' }));
    marks.push(
      Plot.text([{ x: data[0]!.tokens, y: result.capacityBytes / GIB }], {
        x: 'x',
        y: 'y',
        text: () => 'GPU capacity',
        dy: -7,
        textAnchor: 'start',
        fill: 'crimson',
      }),
    );
  }
  const max = result.maxContext?.tokens;
  if (max && max > 0) {
    marks.push(Plot.ruleX([max], { stroke: 'seagreen', strokeWidth: 2 }));
    marks.push(
      Plot.text([{ x: max, y: 0 }], {
        x: 'x',
        y: 'y',
        text: () => `max ${max.toLocaleString('en-US')}`,
        dy: -8,
        dx: -4,
        textAnchor: 'end',
        fill: 'seagreen',
      }),
    );
  }
  replace(
    el,
    Plot.plot({
      width: Math.max(320, el.clientWidth || 640),
      height: 300,
      marginLeft: 56,
      x: {
        type: 'log',
        base: 2,
        label: mode === 'training' ? 'sequence length (tokens)' : 'context (tokens)',
        grid: true,
      },
      y: { label: 'GiB', grid: true, zero: true },
      marks,
    }),
  );
}
