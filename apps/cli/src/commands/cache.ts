import { formatGiB } from '@vramkit/core';
import { createFsCacheStore, defaultCacheDir } from '@vramkit/models/node';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { boolFlag, stringFlag } from '../flags.js';
import { table } from '../render.js';

export const cacheCommand: Command = {
  name: 'cache',
  summary: 'list or clear the on-disk cache of Hub configs and headers',
  help: `Usage: vramkit cache list [--json]
       vramkit cache clear [<owner/name>]

The cache holds what vramkit read from the Hugging Face Hub (model info, config.json, safetensors and
GGUF header inventories), keyed by repository, revision and file, so a model loads again offline.
Directory: VRAMKIT_CACHE_DIR, else $XDG_CACHE_HOME/vramkit, else ~/.cache/vramkit (--dir overrides).
vramkit marks a cache folder it creates with a .vramkit-cache file; "clear" refuses a folder without
it and removes only the entries vramkit wrote, so your own files are never deleted.
`,
  options: { json: { type: 'boolean' }, dir: { type: 'string' } },
  async run(args, io) {
    const [action, repo, ...rest] = args.positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const dir = stringFlag(args.values, 'dir') ?? defaultCacheDir(io.env);
    const store = createFsCacheStore(dir);
    if (action === 'list' || action === undefined) {
      const entries = await store.list();
      if (boolFlag(args.values, 'json')) {
        io.out(
          `${JSON.stringify({ dir, entries: entries.map((e) => ({ ...e, modified: e.modified?.toISOString() })) }, null, 2)}\n`,
        );
        return 0;
      }
      const total = entries.reduce((s, e) => s + e.bytes, 0);
      io.out(
        entries.length === 0
          ? `cache is empty (${dir})\n`
          : `${table([['repository', 'revision', 'file', 'bytes'], ...entries.map((e) => [e.repo, e.revision.slice(0, 12), e.file, String(e.bytes)])], [false, false, false, true])}\n${entries.length} entries, ${formatGiB(total)} in ${dir}\n`,
      );
      return 0;
    }
    if (action === 'clear') {
      const n = await store.clear(repo ? { repo } : undefined);
      io.out(`removed ${n} cached ${n === 1 ? 'entry' : 'entries'}${repo ? ` of ${repo}` : ''} from ${dir}\n`);
      return 0;
    }
    throw new UsageError(
      `unknown action "${action}"; use "vramkit cache list" or "vramkit cache clear [<owner/name>]"`,
      'action',
    );
  },
};
