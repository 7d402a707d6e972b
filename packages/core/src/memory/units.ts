/** Bytes in a GiB (1024³), as llama.cpp, vLLM and PyTorch report memory. */
export const GIB = 1024 ** 3;
/** Bytes in a GB (10⁹), as GPU vendors label capacity. */
export const GB = 1e9;
/** Bytes in a MiB (1024²). */
export const MIB = 1024 ** 2;

/** Formats bytes as GiB with two decimals, e.g. `14.38 GiB`. */
export function formatGiB(bytes: number, digits = 2): string {
  return `${(bytes / GIB).toFixed(digits)} GiB`;
}

/** Formats bytes as GB (10⁹) with two decimals, e.g. `15.44 GB`. */
export function formatGB(bytes: number, digits = 2): string {
  return `${(bytes / GB).toFixed(digits)} GB`;
}

/** Formats a count with thousands separators, e.g. `7,721,988,096`. */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/**
 * Parses a size such as `23.58GiB`, `80 GB`, `512MiB` or a plain byte count into integer bytes
 * (rounded down). "G" alone is refused: it is ambiguous between GB and GiB.
 * @returns bytes, or undefined when the text is not a size
 */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = UNIT_BYTES[unit];
  if (factor === undefined) return undefined;
  return Math.floor(Number(m[1]) * factor);
}
