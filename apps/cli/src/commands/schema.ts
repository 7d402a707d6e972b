import { z } from 'zod';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { outputSchemas } from '../output-schema.js';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'JSON Schema of a command’s --json output',
  help: `Usage: vramkit schema [name]

Prints the JSON Schema (draft 2020-12) of the --json output of a command. Names: ${Object.keys(outputSchemas).join(', ')}.
Without a name, prints all of them keyed by name.
`,
  options: {},
  maxPositionals: 1,
  run(args, io) {
    const [name] = args.positionals;
    if (name !== undefined && !outputSchemas[name]) throw new UsageError(`no schema "${name}"; known: ${Object.keys(outputSchemas).join(', ')}`, 'name');
    const pick = name ? { [name]: outputSchemas[name]! } : outputSchemas;
    const docs = Object.fromEntries(Object.entries(pick).map(([k, s]) => [k, z.toJSONSchema(s, { unrepresentable: 'any' })]));
    io.out(`${JSON.stringify(name ? docs[name] : docs, null, 2)}\n`);
    return 0;
  },
};
