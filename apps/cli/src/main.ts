import { suggest } from '@vramkit/models';
import type { Command, Io } from './command.js';
import { commands } from './commands/index.js';
import { errorJson, oneLine, UsageError } from './errors.js';
import type { CommandName } from './flag-spec.js';
import { checkApplicable, optionsHelp, parseCommandLine } from './flag-parse.js';
import { flagsOf } from './flag-table.js';
import { VERSION } from './version.js';

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `vramkit ${VERSION} — how much GPU memory does this LLM need, and will it fit?

Usage: vramkit <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "vramkit <command> --help" for a command's options. Errors exit non-zero; with --json they are
printed on stdout as {"error":{"code","path","flag","message"}}.
`;
}

/** `--json` anywhere before a `--` terminator: errors are then printed as JSON too. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** `vramkit <command> --help`: the command's usage, then its options from the flag table. */
function helpOf(command: Command): string {
  return flagsOf(command.name as CommandName).length > 0
    ? `${command.help}\n${optionsHelp(command.name as CommandName)}`
    : command.help;
}

/**
 * Runs the CLI with `argv` (without node and the script) and returns the exit code:
 * 0 success, 1 a vramkit error (bad model, bad config, does not fit), 2 a usage error.
 * Every error exits non-zero; under `--json` it is printed on stdout as `{ "error": { code, path, flag, message } }`
 * (stdout, so a script reading the JSON gets either the answer or the error), else as one line on stderr.
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
  const json = wantsJson(rest);
  try {
    const command = commands.find((c) => c.name === name);
    if (!command) {
      const hint = suggest(
        name,
        commands.map((c) => c.name),
        1,
      );
      throw new UsageError(
        `unknown command "${name}".${hint.length ? ` Did you mean "${hint[0]}"?` : ''} Commands: ${commands.map((c) => c.name).join(', ')} (vramkit --help)`,
        'command',
      );
    }
    const parsed = parseCommandLine(command.name as CommandName, rest);
    if (parsed.help) {
      io.out(helpOf(command));
      return 0;
    }
    const max = command.maxPositionals;
    if (max !== undefined && parsed.positionals.length > max) {
      const extra = parsed.positionals[max]!;
      throw new UsageError(
        `unexpected argument "${extra}": ${name} takes ${max === 0 ? 'no arguments' : `at most ${max}`} (vramkit ${name} --help)`,
        'argv',
      );
    }
    const args = { positionals: parsed.positionals, values: parsed.values };
    checkApplicable(
      command.name as CommandName,
      args.values,
      command.flagContext?.(args.values) ?? { mode: 'infer', engines: ['none'] },
    );
    return await command.run(args, io);
  } catch (e) {
    if (json) io.out(errorJson(e));
    else io.err(`${oneLine(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
