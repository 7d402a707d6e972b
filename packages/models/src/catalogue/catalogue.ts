import { NoSuchModelError } from '../errors/no-such-model-error.js';
import { type NormalizedConfig, normalizeConfig } from '../normalize/normalize-config.js';
import type { CatalogueEntry } from './catalogue-entry.js';
import { CATALOGUE_VERSION, catalogueEntries } from './catalogue.generated.js';
import { suggest } from './suggest.js';

export { CATALOGUE_VERSION };

/** Every model of the embedded catalogue. */
export function listCatalogue(): readonly CatalogueEntry[] {
  return catalogueEntries;
}

/** The catalogue entry for a Hub id or alias (case-insensitive), or undefined. */
export function findInCatalogue(id: string): CatalogueEntry | undefined {
  const key = id.trim().toLowerCase();
  return catalogueEntries.find((e) => e.id.toLowerCase() === key || e.aliases.some((a) => a.toLowerCase() === key));
}

/**
 * A catalogue model, normalized.
 * @throws NoSuchModelError with the closest ids when the id is not in the catalogue
 */
export function catalogueModel(id: string): NormalizedConfig & { entry: CatalogueEntry } {
  const entry = findInCatalogue(id);
  if (!entry) {
    const ids = catalogueEntries.flatMap((e) => [e.id, ...e.aliases]);
    throw new NoSuchModelError(id, suggest(id, ids));
  }
  return { ...normalizeConfig(entry.config), entry };
}
