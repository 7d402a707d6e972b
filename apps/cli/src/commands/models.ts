import { countParameters, formatCount, synthesizeTensors } from '@vramkit/core';
import { CATALOGUE_VERSION, listCatalogue, normalizeConfig } from '@vramkit/models';
import type { Command } from '../command.js';
import { parseArgsOptions } from '../flag-parse.js';
import { boolFlag } from '../flags.js';
import { table } from '../render.js';

export const modelsCommand: Command = {
  name: 'models',
  summary: 'the embedded model catalogue (works offline)',
  help: `Usage: vramkit models [--json]

Lists the models whose configs ship with vramkit, with their parameter counts.
`,
  options: parseArgsOptions('models'),
  maxPositionals: 0,
  run(args, io) {
    const rows = listCatalogue().map((e) => {
      const n = normalizeConfig(e.config);
      const p = countParameters(synthesizeTensors(n.architecture), n.architecture);
      return {
        id: e.id,
        aliases: e.aliases,
        family: n.modelType,
        parameters: p.total,
        active: p.active,
        source: e.source,
      };
    });
    if (boolFlag(args.values, 'json')) {
      io.out(`${JSON.stringify({ version: CATALOGUE_VERSION, models: rows }, null, 2)}\n`);
      return 0;
    }
    io.out(
      `${table(
        [
          ['model', 'family', 'parameters', 'active'],
          ...rows.map((r) => [
            r.id,
            r.family,
            formatCount(r.parameters),
            r.active === r.parameters ? '' : formatCount(r.active),
          ]),
        ],
        [false, false, true, true],
      )}\ncatalogue ${CATALOGUE_VERSION}, ${rows.length} models\n`,
    );
    return 0;
  },
};
