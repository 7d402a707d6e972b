import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VramkitError } from '@vramkit/core';
import { type FormatEntry, isFormatFamily, type QuantizationConfigDetector } from '@vramkit/quant';

/** A `--plugin` (or config `plugins` entry) that cannot be found or imported. */
export class PluginNotFoundError extends VramkitError {
  readonly specifier: string;
  constructor(specifier: string, index: number, cwd: string, cause?: unknown) {
    super(
      'INVALID_INPUT',
      `Cannot load format plugin "${specifier}" from ${cwd}. Install it next to your project (npm install ${specifier}) or pass a path to its folder or file.`,
      { path: `plugins[${index}]`, cause },
    );
    this.name = 'PluginNotFoundError';
    this.specifier = specifier;
  }
}

/** A plugin module that exports no `formats` record of v1 formats. */
export class PluginExportsNoFormatsError extends VramkitError {
  readonly specifier: string;
  readonly exportNames: readonly string[];
  constructor(specifier: string, index: number, exportNames: readonly string[], detail: string) {
    super(
      'INVALID_INPUT',
      `Format plugin "${specifier}" exports no formats (${detail}; exports: ${exportNames.join(', ') || 'none'}). A plugin exports \`formats\` (named or on its default export): a record of WeightFormat v1 objects built with defineWeightFormat.`,
      { path: `plugins[${index}]` },
    );
    this.name = 'PluginExportsNoFormatsError';
    this.specifier = specifier;
    this.exportNames = exportNames;
  }
}

/** What the loaded plugins add: formats for the registry, detectors for `quantization_config`. */
export interface LoadedPlugins {
  /** By format id, in a record without a prototype (any id is an own key). */
  formats: Record<string, FormatEntry>;
  detectors: QuantizationConfigDetector[];
  /** Per plugin: the specifier, the file imported and the format ids it brought. */
  loaded: { specifier: string; file: string; formatIds: string[] }[];
}

/** How a specifier becomes a module; tests may pass their own. */
export type PluginImporter = (
  specifier: string,
  cwd: string,
) => Promise<{ file: string; module: Record<string, unknown> }>;

function isPathLike(s: string): boolean {
  return s.startsWith('.') || isAbsolute(s) || s.startsWith('file:');
}

/**
 * Resolves a plugin the way a user expects: paths against `cwd` (a folder uses its package.json
 * `main`), package names from `cwd`'s node_modules first, then from the CLI's own install.
 */
export const defaultImporter: PluginImporter = async (specifier, cwd) => {
  let file: string;
  if (isPathLike(specifier)) {
    const path = specifier.startsWith('file:') ? new URL(specifier).pathname : resolve(cwd, specifier);
    file = statSync(path).isDirectory() ? createRequire(join(path, 'package.json')).resolve(path) : path;
  } else {
    try {
      file = createRequire(join(cwd, '__vramkit_plugin_resolver__.js')).resolve(specifier);
    } catch {
      file = new URL(import.meta.resolve(specifier)).pathname;
    }
  }
  return { file, module: (await import(pathToFileURL(file).href)) as Record<string, unknown> };
};

function isEntry(v: unknown): v is FormatEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Partial<FormatEntry> & { create?: unknown; bytesForTensor?: unknown };
  if (e.specVersion !== 'v1' || typeof e.id !== 'string' || e.id.length === 0) return false;
  return isFormatFamily(e as FormatEntry) ? typeof e.create === 'function' : typeof e.bytesForTensor === 'function';
}

/**
 * Imports format packages (`--plugin <pkg>` and the config file's `plugins`) and collects what they
 * export: `formats` (named export, or a property of the default export) and optional `detectors`.
 * @param specifiers package names or paths, in order; later plugins override earlier ids
 * @param cwd the directory names and relative paths resolve from
 * @param options `importer` to replace module loading (tests)
 * @returns the formats, detectors and what came from where
 * @throws PluginNotFoundError when a plugin cannot be resolved or imported
 * @throws PluginExportsNoFormatsError when a module has no usable `formats`
 */
export async function loadPlugins(
  specifiers: readonly string[],
  cwd: string,
  options: { importer?: PluginImporter } = {},
): Promise<LoadedPlugins> {
  const importer = options.importer ?? defaultImporter;
  // Ids are plugin data: a null-prototype record keeps `__proto__` or `constructor` an ordinary key.
  const out: LoadedPlugins = { formats: Object.create(null) as Record<string, FormatEntry>, detectors: [], loaded: [] };
  for (const [index, specifier] of specifiers.entries()) {
    let loaded: Awaited<ReturnType<PluginImporter>>;
    try {
      loaded = await importer(specifier, cwd);
    } catch (cause) {
      throw new PluginNotFoundError(specifier, index, cwd, cause);
    }
    const mod = loaded.module;
    const fallback = (typeof mod.default === 'object' && mod.default !== null ? mod.default : {}) as Record<
      string,
      unknown
    >;
    const formats = mod.formats ?? fallback.formats;
    const names = Object.keys(mod);
    if (typeof formats !== 'object' || formats === null) {
      throw new PluginExportsNoFormatsError(specifier, index, names, 'no `formats` export');
    }
    const entries = Object.entries(formats as Record<string, unknown>);
    const bad = entries.find(([, v]) => !isEntry(v));
    if (entries.length === 0 || bad) {
      throw new PluginExportsNoFormatsError(
        specifier,
        index,
        names,
        bad ? `formats.${bad[0]} is not a v1 format` : '`formats` is empty',
      );
    }
    for (const [, entry] of entries) out.formats[(entry as FormatEntry).id] = entry as FormatEntry;
    const detectors = mod.detectors ?? fallback.detectors;
    if (Array.isArray(detectors))
      out.detectors.push(...detectors.filter((d): d is QuantizationConfigDetector => typeof d === 'function'));
    out.loaded.push({ specifier, file: loaded.file, formatIds: entries.map(([, e]) => (e as FormatEntry).id) });
  }
  return out;
}

/**
 * The formats of the named plugins, for `createFormatRegistry(builtinFormats, await loadFormatPlugins(...))`.
 * Families (parameterized formats such as `aqlm@codebooks=2,nbits=8`) are included as registry entries.
 * @throws PluginNotFoundError | PluginExportsNoFormatsError
 */
export async function loadFormatPlugins(
  specifiers: readonly string[],
  cwd: string,
): Promise<Record<string, FormatEntry>> {
  return (await loadPlugins(specifiers, cwd)).formats;
}
