import { parseArgs } from 'node:util';
import type { Io } from './command.js';
import { commands } from './commands/index.js';
import { oneLine, UsageError } from './errors.js';
import { expandEngineShortFlags } from './serve/engine-flags.js';
import { VERSION } from './version.js';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `vramkit ${VERSION} — how much GPU memory does this LLM need, and will it fit?

Usage: vramkit <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "vramkit <command> --help" for a command's options.
`;
}

/**
 * Runs the CLI with `argv` (without node and the script) and returns the exit code:
 * 0 success, 1 a vramkit error (bad model, bad config, does not fit), 2 a usage error.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`vramkit: unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')} (vramkit --help)\n`);
    return 2;
  }
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: expandEngineShortFlags(rest), options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(`${(e as Error).message.replace(/\s+/g, ' ')} (vramkit ${name} --help)`);
    }
    if (parsed.values.help) {
      io.out(command.help);
      return 0;
    }
    return await command.run({ positionals: parsed.positionals, values: parsed.values }, io);
  } catch (e) {
    io.err(`${oneLine(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
