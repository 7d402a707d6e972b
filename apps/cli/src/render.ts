import { type BreakdownPart, formatCount, GB, GIB } from '@vramkit/core';

/** Right-aligns numbers and left-aligns text in columns separated by two spaces. */
export function table(rows: readonly (readonly string[])[], numeric: readonly boolean[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          numeric[i] ? cell.padStart(widths[i]!) : i === row.length - 1 ? cell : cell.padEnd(widths[i]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const gib = (b: number) => (b / GIB).toFixed(2);
const gb = (b: number) => (b / GB).toFixed(2);

/** A breakdown as a table: one line per part (and its children, indented), in GiB and GB, with the formula. */
export function renderBreakdown(
  parts: Record<string, BreakdownPart>,
  total: number,
  labels: Record<string, string> = {},
  depth = 1,
): string {
  const rows: string[][] = [['part', 'GiB', 'GB', 'formula']];
  const walk = (name: string, p: BreakdownPart, level: number) => {
    rows.push([`${'  '.repeat(level)}${labels[name] ?? name}`, gib(p.bytes), gb(p.bytes), p.note]);
    if (level < depth && p.parts) for (const [k, c] of Object.entries(p.parts)) if (c.bytes > 0) walk(k, c, level + 1);
  };
  for (const [name, p] of Object.entries(parts)) walk(name, p, 0);
  rows.push(['total', gib(total), gb(total), `${formatCount(total)} bytes`]);
  return table(rows, [false, true, true, false]);
}
