import { InvalidInputError } from '@vramkit/core';
import type { QuantizationConfigDetector } from './detect.js';
import { createFormatRegistry, type FormatEntry } from './registry.js';

/**
 * A format package, version 1: its formats (and parameterized families) for the registry and the
 * detectors that read its `quantization_config`. Build it with {@link defineFormatPlugin} and export
 * it as the module's default export; `vramkit --plugin <package>` and {@link formatPluginFromModule}
 * read it from there.
 */
export interface FormatPluginV1 {
  readonly specVersion: 'v1';
  readonly kind: 'format-plugin';
  /** The package name (`@vramkit/quant-aqlm`), for listings and errors. */
  readonly name: string;
  /** Formats and families keyed by id, for `createFormatRegistry(builtinFormats, plugin.formats)`. */
  readonly formats: Readonly<Record<string, FormatEntry>>;
  /** Readers of this method's `quantization_config`, for `formatFromQuantizationConfig(config, arch, { detectors })`. */
  readonly detectors: readonly QuantizationConfigDetector[];
}

/** What {@link defineFormatPlugin} takes. */
export interface FormatPluginSpec {
  name: string;
  formats: Readonly<Record<string, FormatEntry>>;
  detectors?: readonly QuantizationConfigDetector[];
}

/**
 * Builds a format plugin: checks every entry is a v1 format or family (the registry's own check) and
 * every detector a function, keys formats by their own ids, and freezes the result.
 * @param spec the package name, its formats and optional detectors
 * @returns a frozen {@link FormatPluginV1}
 * @throws InvalidInputError (path `plugin.name`, `formats.<key>`, `plugin.detectors[i]`) when the spec is malformed
 */
export function defineFormatPlugin(spec: FormatPluginSpec): FormatPluginV1 {
  if (typeof spec.name !== 'string' || spec.name.length === 0) {
    throw new InvalidInputError([
      { path: 'plugin.name', message: 'must name the package (e.g. "@vramkit/quant-aqlm")', received: spec.name },
    ]);
  }
  const entries = createFormatRegistry(spec.formats).entries();
  if (entries.length === 0)
    throw new InvalidInputError([{ path: 'plugin.formats', message: 'must hold at least one format or family' }]);
  const detectors = spec.detectors ?? [];
  for (const [i, d] of detectors.entries()) {
    if (typeof d !== 'function')
      throw new InvalidInputError([
        {
          path: `plugin.detectors[${i}]`,
          message: 'must be a function (config, arch) => DetectedFormat | undefined',
          received: d,
        },
      ]);
  }
  const formats = Object.freeze(
    Object.assign(
      Object.create(null) as Record<string, FormatEntry>,
      Object.fromEntries(entries.map((e) => [e.id, e])),
    ),
  );
  return Object.freeze({
    specVersion: 'v1',
    kind: 'format-plugin',
    name: spec.name,
    formats,
    detectors: Object.freeze([...detectors]),
  });
}

/** True for a {@link FormatPluginV1}, from this or another copy of `@vramkit/quant`. */
export function isFormatPlugin(value: unknown): value is FormatPluginV1 {
  const v = value as Partial<FormatPluginV1> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.specVersion === 'v1' &&
    v.kind === 'format-plugin' &&
    typeof v.formats === 'object' &&
    v.formats !== null
  );
}

/**
 * The plugin an imported module provides: its default export (`import()` puts it at `.default`; so
 * does `require()` of the ESM build), or else the single named export that is a plugin.
 * @param mod the module namespace object
 * @returns the plugin, or undefined when the module exports none (or more than one named one)
 */
export function formatPluginFromModule(mod: Readonly<Record<string, unknown>>): FormatPluginV1 | undefined {
  if (isFormatPlugin(mod.default)) return mod.default;
  const named = Object.values(mod).filter(isFormatPlugin);
  return named.length === 1 ? named[0] : undefined;
}
