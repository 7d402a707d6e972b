import { quantListing } from '@vramkit/quant';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { parseArgsOptions } from '../flag-parse.js';
import { boolFlag } from '../flags.js';
import { formatSetup } from '../format-setup.js';
import { table } from '../render.js';

export const quantCommand: Command = {
  name: 'quant',
  summary: 'list weight formats (GGUF file types, ggml types, GPTQ, AWQ, bitsandbytes, FP8, …) with bits/weight',
  help: `Usage: vramkit quant list [--plugin <pkg>]... [--json]

Lists every weight format --quant accepts, with its bits/weight measured on a 4096×4096 attention
matrix (scales, zeros and codebooks included) and the storage type it picks for it.

Ids: llama.cpp file types (Q4_K_M, IQ2_XS, …; case-insensitive), ggml:<TYPE> (every matrix in one ggml
type), gptq-4bit-128g, awq, bnb-nf4, bnb-int8, fp8-block, mxfp4, compressed-tensors:w4a16, …; families
take parameters after @: exl2@4.65, gptq@bits=3,group=64, hqq@nbits=2,group=16.
`,
  options: parseArgsOptions('quant'),
  maxPositionals: 1,
  async run(args, io) {
    const [sub] = args.positionals;
    if (sub !== 'list')
      throw new UsageError(
        `quant needs a subcommand: list (got ${sub === undefined ? 'none' : `"${sub}"`}) (vramkit quant --help)`,
        'argv',
      );
    const setup = await formatSetup(args, io);
    const rows = quantListing(setup.registry);
    if (boolFlag(args.values, 'json')) {
      io.out(`${JSON.stringify({ formats: rows, plugins: setup.plugins }, null, 2)}\n`);
      return 0;
    }
    const body = rows.map((r) => [
      r.id,
      r.bitsPerWeight === null ? '—' : r.bitsPerWeight.toFixed(4),
      r.type ?? 'from header',
      r.description,
    ]);
    io.out(`${table([['id', 'bits/weight', 'type', 'description'], ...body], [false, true, false, false])}\n`);
    return 0;
  },
};
