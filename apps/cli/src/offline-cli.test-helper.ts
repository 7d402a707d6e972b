// One in-process, offline `vramkit` for the CLI's property and fuzz tests: main() with the Hub off and
// the cache inside the test's own temporary folder, collecting what it prints.
import { join } from 'node:path';
import { main } from './main.js';

/** What one run printed and returned. */
export interface OfflineRun {
  code: number;
  out: string;
  err: string;
}

/** A `vramkit <argv>` runner working in `work` (its cwd; the cache is `work/cache`), offline. */
export function offlineCli(work: string): (argv: readonly string[]) => Promise<OfflineRun> {
  return async (argv) => {
    let out = '';
    let err = '';
    const code = await main(argv, {
      out: (t) => (out += t),
      err: (t) => (err += t),
      env: { HF_HUB_OFFLINE: '1', VRAMKIT_CACHE_DIR: join(work, 'cache') },
      cwd: work,
    });
    return { code, out, err };
  };
}
