import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

/**
 * The names `outputSchemas` holds, for the help text; the schemas (and zod) are imported when the
 * command runs, not on every start of the CLI (a test holds this list to the record's keys).
 */
export const OUTPUT_SCHEMA_NAMES = [
  'estimate',
  'estimate-serve',
  'estimate-train',
  'fit',
  'compare',
  'inspect',
] as const;

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'JSON Schema of a command’s --json output',
  help: `Usage: vramkit schema [name]

Prints the JSON Schema (draft 2020-12) of the --json output of a command. Names: ${OUTPUT_SCHEMA_NAMES.join(', ')}.
Without a name, prints all of them keyed by name.
`,
  options: {},
  maxPositionals: 1,
  async run(args, io) {
    const [{ z }, { outputSchemas }] = await Promise.all([import('zod'), import('../output-schema.js')]);
    const [name] = args.positionals;
    // Own keys only: "constructor" or "toString" must not resolve through the prototype chain.
    if (name !== undefined && !Object.hasOwn(outputSchemas, name))
      throw new UsageError(`no schema "${name}"; known: ${Object.keys(outputSchemas).join(', ')}`, 'name');
    const pick = name ? { [name]: outputSchemas[name]! } : outputSchemas;
    const docs = Object.fromEntries(
      Object.entries(pick).map(([k, s]) => [k, z.toJSONSchema(s, { unrepresentable: 'any' })]),
    );
    io.out(`${JSON.stringify(name ? docs[name] : docs, null, 2)}\n`);
    return 0;
  },
};
