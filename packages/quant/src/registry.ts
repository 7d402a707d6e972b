import { InvalidInputError, NoSuchFormatError, type WeightFormat } from '@vramkit/core';

/**
 * A format with parameters, named on the command line as `<id>@<params>` (`exl2@4.65`,
 * `gptq@bits=3,group=64`). `create` parses the parameter string and returns a concrete format.
 */
export interface WeightFormatFamily {
  specVersion: 'v1';
  kind: 'family';
  id: string;
  description: string;
  /** One line that documents the parameters, e.g. `bits=2|3|4|8,group=<n>|-1,desc_act,asym`. */
  parameters: string;
  /** An example parameter string for listings (`4.65`). */
  example: string;
  /** @throws InvalidInputError when the parameters are wrong */
  create(params: string): WeightFormat;
}

/** What a registry holds: concrete formats and parameterized families. */
export type FormatEntry = WeightFormat | WeightFormatFamily;

/** True for a {@link WeightFormatFamily}. */
export function isFormatFamily(entry: FormatEntry): entry is WeightFormatFamily {
  return (entry as WeightFormatFamily).kind === 'family';
}

/** A set of formats the caller composed; lookups are case-insensitive. */
export interface FormatRegistry {
  /**
   * The format with this id: an exact or case-insensitive match, or `<family>@<params>`.
   * @throws NoSuchFormatError listing the known ids
   * @throws InvalidInputError when a family rejects its parameters
   */
  get(id: string): WeightFormat;
  has(id: string): boolean;
  /** Every id, families as `<id>@<params>`. */
  ids(): string[];
  /** The registered entries, in insertion order. */
  entries(): readonly FormatEntry[];
}

/**
 * Composes a registry from format records. Nothing registers itself: pass every record you want,
 * later records override earlier ones (`createFormatRegistry({ ...builtinFormats, ...aqlmFormats })`).
 * @param formats records of formats or families keyed by anything (the entry's own `id` is what counts)
 * @returns a registry
 * @throws InvalidInputError when an entry is not a v1 format or family
 */
export function createFormatRegistry(...formats: Readonly<Record<string, FormatEntry>>[]): FormatRegistry {
  const byLower = new Map<string, FormatEntry>();
  for (const record of formats) {
    for (const [key, entry] of Object.entries(record)) {
      const callable = isFormatFamily(entry ?? ({} as FormatEntry))
        ? typeof (entry as WeightFormatFamily).create === 'function'
        : typeof (entry as WeightFormat | undefined)?.bytesForTensor === 'function';
      if (entry?.specVersion !== 'v1' || typeof entry.id !== 'string' || entry.id.length === 0 || !callable) {
        throw new InvalidInputError([
          {
            path: `formats.${key}`,
            message: `is not a v1 weight format (needs specVersion "v1", an id and bytesForTensor or create); got specVersion ${JSON.stringify((entry as { specVersion?: unknown } | undefined)?.specVersion)}`,
          },
        ]);
      }
      byLower.set(entry.id.toLowerCase(), entry);
    }
  }
  const list = [...byLower.values()];
  const ids = () => list.map((e) => (isFormatFamily(e) ? `${e.id}@${e.parameters}` : e.id));
  const lookup = (id: string): WeightFormat | undefined => {
    const trimmed = id.trim();
    const at = trimmed.indexOf('@');
    if (at < 0) {
      const e = byLower.get(trimmed.toLowerCase());
      if (!e) return undefined;
      return isFormatFamily(e) ? e.create('') : e;
    }
    const family = byLower.get(trimmed.slice(0, at).toLowerCase());
    if (!family || !isFormatFamily(family)) return undefined;
    return family.create(trimmed.slice(at + 1));
  };
  return {
    get(id) {
      const f = lookup(id);
      if (!f) throw new NoSuchFormatError(id, ids());
      return f;
    },
    has(id) {
      try {
        return lookup(id) !== undefined;
      } catch {
        return false;
      }
    },
    ids,
    entries: () => list,
  };
}

/**
 * Parses `key=value,flag,...` parameter strings for families (`bits=4,group=128,desc_act`). A bare
 * first value is stored under `positional`.
 * @returns a map of lower-cased keys to values (`true` for flags)
 */
export function parseFormatParams(params: string): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const [i, raw] of params.split(',').entries()) {
    const part = raw.trim();
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (i === 0 && /^[-\d.]/.test(part)) out.set('positional', part);
      else out.set(part.toLowerCase(), true);
    } else out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}
