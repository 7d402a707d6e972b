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
  return Math.round(n).toLocaleString('en-US');
}
