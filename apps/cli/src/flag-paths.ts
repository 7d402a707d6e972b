import type { Consumer } from './flag-spec.js';
import { FLAGS } from './flag-table.js';

// Error paths carry the root of the library input: `workload.` (inference), `training.` (training).
const ROOTS: Record<Consumer, readonly string[]> = {
  inference: ['workload.', ''],
  training: ['training.', ''],
  serving: [''],
  hub: [''],
};

/**
 * The flag that sets the library field `path` (`workload.context` → `--context`,
 * `llamaCpp.ctxSize` → `--ctx-size`), for error messages.
 */
export function flagForPath(path: string | undefined): string | undefined {
  if (!path) return undefined;
  let best: { name: string; len: number } | undefined;
  for (const spec of FLAGS) {
    for (const full of spec.errorPaths ?? []) {
      if (
        (path === full || path.startsWith(`${full}.`) || path.startsWith(`${full}[`)) &&
        (!best || full.length > best.len)
      )
        best = { name: spec.name, len: full.length };
    }
    for (const [consumer, target] of Object.entries(spec.to ?? {}) as [Consumer, string][]) {
      for (const root of ROOTS[consumer]) {
        const full = `${root}${target}`;
        if (
          (path === full || path.startsWith(`${full}.`) || path.startsWith(`${full}[`)) &&
          (!best || full.length > best.len)
        )
          best = { name: spec.name, len: full.length };
      }
    }
  }
  return best ? `--${best.name}` : undefined;
}

/**
 * A library message in the CLI's terms: each option the library names in backticks (`` `file` ``,
 * `` `workload.context` ``, `` `timeoutMs` ``) becomes the flag that sets it (`--file`, `--context`,
 * `--timeout`); backticked words no flag sets (`` `quantization_config` ``) are left as they are.
 * @param paths when given (a Hub error's `remedyPaths`), only these options are translated
 */
export function inFlagTerms(text: string, paths?: readonly string[]): string {
  return text.replace(/`([A-Za-z_][\w.[\]]*)`/g, (whole, path: string) => {
    if (paths && paths.length > 0 && !paths.includes(path)) return whole;
    return flagForPath(path) ?? whole;
  });
}

/**
 * A library note or message in the CLI's terms: backticked options (see {@link inFlagTerms}) and bare
 * field paths the library names (`llamaCpp.flashAttn`, `parallel.zero`) become the flags that set them.
 * Dotted words no flag sets (`fattn.cu`) and source file names (`speculative.cpp`) are left as they are.
 */
export function inCliTerms(text: string, paths?: readonly string[]): string {
  // A word inside a source path (common/speculative.cpp, server-context.cpp) is a file, not a field.
  return inFlagTerms(text, paths).replace(/(?<![\w/-])[a-z][a-zA-Z]*(?:\.[a-zA-Z]+)+\b/g, (field) =>
    SOURCE_FILE.test(field) ? field : (flagForPath(field) ?? field),
  );
}

const SOURCE_FILE = /\.(cpp|cc|c|h|hpp|cu|py|ts|js|md|json)$/;
