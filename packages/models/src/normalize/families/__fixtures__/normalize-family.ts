import { countParameters, synthesizeTensors, validateArchitecture } from '@vramkit/core';
import { ConfigReader } from '../../config-fields.js';
import type { ConfigFamily } from '../family.js';

/** Runs one family on a config, checks the result is a valid Architecture, and counts its parameters. */
export function normalizeFamily(family: ConfigFamily, config: Record<string, unknown>) {
  const r = new ConfigReader(config, String(config.model_type));
  const arch = family.normalize(r);
  r.done();
  validateArchitecture(arch);
  return { arch, params: countParameters(synthesizeTensors(arch), arch) };
}
