import { builtinFormats, createFormatRegistry, quantListing } from '@vramkit/quant';
import type { Command } from '../command.js';
import { loadCliConfig } from '../config-file.js';
import { UsageError } from '../errors.js';
import { boolFlag, stringFlag } from '../flags.js';
import { loadPlugins } from '../plugins.js';
import { table } from '../render.js';

function pluginFlags(values: Record<string, unknown>): string[] {
  const v = values.plugin;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

export const quantCommand: Command = {
  name: 'quant',
  summary: 'list weight formats (GGUF file types, ggml types, GPTQ, AWQ, bitsandbytes, FP8, …) with bits/weight',
  help: `Usage: vramkit quant list [--plugin <pkg>]... [--json]

Lists every weight format --quant accepts, with its bits/weight measured on a 4096×4096 attention
matrix (scales, zeros and codebooks included) and the storage type it picks for it.

Ids: llama.cpp file types (Q4_K_M, IQ2_XS, …; case-insensitive), ggml:<TYPE> (every matrix in one ggml
type), gptq-4bit-128g, awq, bnb-nf4, bnb-int8, fp8-block, mxfp4, compressed-tensors:w4a16, …; families
take parameters after @: exl2@4.65, gptq@bits=3,group=64, hqq@nbits=2,group=16.

Options:
  --plugin <pkg>   load a format package (repeatable); also read from the config file's "plugins"
  --config <path>  the vramkit config file
  --json           print the rows as JSON
`,
  options: {
    plugin: { type: 'string', multiple: true },
    config: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    if (sub !== 'list') throw new UsageError(`quant needs a subcommand: list (got ${sub === undefined ? 'none' : `"${sub}"`}) (vramkit quant --help)`, 'argv');
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" (vramkit quant --help)`, 'argv');
    const config = await loadCliConfig(stringFlag(args.values, 'config'), io.env, io.cwd);
    const plugins = await loadPlugins([...config.plugins, ...pluginFlags(args.values)], io.cwd);
    const rows = quantListing(createFormatRegistry(builtinFormats, plugins.formats));
    if (boolFlag(args.values, 'json')) {
      io.out(`${JSON.stringify({ formats: rows, plugins: plugins.loaded }, null, 2)}\n`);
      return 0;
    }
    const body = rows.map((r) => [r.id, r.bitsPerWeight === null ? '—' : r.bitsPerWeight.toFixed(4), r.type ?? 'from header', r.description]);
    io.out(`${table([['id', 'bits/weight', 'type', 'description'], ...body], [false, true, false, false])}\n`);
    return 0;
  },
};
