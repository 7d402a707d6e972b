import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { excerpt, VramkitError } from '@vramkit/core';
import { findInCatalogue, listCatalogue } from '../catalogue/catalogue.js';
import { suggest } from '../catalogue/suggest.js';
import { NoSuchModelError } from '../errors/no-such-model-error.js';
import { normalizeGgufConfig } from '../gguf/gguf-config.js';
import { readGgufHeader } from '../gguf/read-gguf.js';
import { parseJsonObject } from '../hub/safe-json.js';
import { isRepoId } from '../hub/repo-id.js';
import { parseSafetensorsHeader, safetensorsHeaderLength } from '../safetensors/parse-header.js';
import { inventoryFromHeaders, pickSafetensorsFiles } from '../safetensors/read-safetensors.js';
import { type LoadModelOptions, loadModel, specFromConfig } from '../load-model.js';
import type { ModelSpec } from '../model-spec.js';
import { normalizeConfig } from '../normalize/normalize-config.js';
import { countParameters, synthesizeTensors } from '@vramkit/core';
import { createFsCacheStore, defaultCacheDir } from './fs-cache-store.js';

// The largest config.json read from disk: the same budget as one from the Hub (a real one is a few KB).
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Options of {@link resolveModelArgument}: {@link LoadModelOptions} plus where relative paths start. */
export interface ResolveModelOptions extends LoadModelOptions {
  /** Directory relative paths are resolved against. Default `process.cwd()`. */
  cwd?: string;
  /** Cache directory; default `defaultCacheDir(env)`. Ignored when `cache` is given. */
  cacheDir?: string;
  /** Disable the on-disk cache. */
  noCache?: boolean;
}

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the CLI calls with the model argument: a local `config.json` (or a folder holding one), a
 * local `.gguf` file, a Hub id (fetched, cached on disk, with `--revision`, `--offline`, `--file`,
 * `--quant`, `--exact`, `HF_TOKEN`, `HF_ENDPOINT`), or a catalogue alias. Offline or with the Hub
 * unreachable, a Hub id is answered from the cache, then the embedded catalogue, with a warning.
 * @param argument what the user typed
 * @param options loading options; `env` defaults to `process.env`
 * @returns the model spec
 * @throws NoSuchModelError for an argument that is neither a path, a Hub id nor a catalogue alias
 * @throws HubFetchError, OfflineError, ModelParseError, ConfigValidationError
 */
export async function resolveModelArgument(argument: string, options: ResolveModelOptions = {}): Promise<ModelSpec> {
  const cwd = options.cwd ?? process.cwd();
  const budget = options.parseTimeBudgetMs !== undefined ? { parseTimeBudgetMs: options.parseTimeBudgetMs } : {};
  const path = resolve(cwd, argument);
  const kind = await kindOf(path);
  const pathLike =
    argument.startsWith('.') ||
    argument.startsWith('/') ||
    argument.startsWith('~') ||
    isAbsolute(argument) ||
    /\.(json|gguf)$/i.test(argument);
  if (kind || pathLike) {
    if (kind === 'file' && argument.toLowerCase().endsWith('.gguf')) return loadLocalGguf(path, budget);
    // Files are read only where the user named a model file: a .json config (or a folder's
    // config.json), never /etc/passwd or any other file a path or a trainer config points at.
    if (kind === 'file' && !/\.json$/i.test(path)) {
      throw new VramkitError(
        'NO_SUCH_MODEL',
        `${excerpt(argument)} is not a model file: pass a config.json, a folder holding one, a .gguf file, or a Hub id. Nothing was read.`,
        { path: 'model' },
      );
    }
    const file = kind === 'dir' ? join(path, 'config.json') : path;
    let text: string;
    try {
      const size = (await stat(file)).size;
      if (size > MAX_CONFIG_BYTES) {
        throw new VramkitError(
          'PARSE_ERROR',
          `${file} has ${size.toLocaleString('en-US')} bytes, above the ${MAX_CONFIG_BYTES.toLocaleString('en-US')}-byte limit for a config.json`,
          { path: 'model' },
        );
      }
      text = await readFile(file, 'utf8');
    } catch (cause) {
      if (VramkitError.isInstance(cause)) throw cause;
      throw new VramkitError(
        'NO_SUCH_MODEL',
        `Cannot read ${file} (${(cause as NodeJS.ErrnoException).code ?? 'error'}). Pass a config.json, a folder holding one, a .gguf file, or a Hub id.`,
        { path: 'model', cause },
      );
    }
    const normalized = normalizeConfig(parseJsonObject(text, basename(file), budget));
    const spec = specFromConfig(argument, normalized, {
      kind: 'local',
      id: file,
      files: [file],
      fromCache: false,
      requests: 0,
      bytes: 0,
    });
    return kind === 'dir' ? withLocalSafetensors(spec, path, budget) : spec;
  }
  if (isRepoId(argument)) {
    const cache =
      options.cache ??
      (options.noCache
        ? undefined
        : createFsCacheStore(options.cacheDir ?? defaultCacheDir(options.env ?? process.env)));
    return loadModel(argument, { ...options, ...(cache ? { cache } : {}) });
  }
  const entry = findInCatalogue(argument);
  if (entry) {
    const spec = specFromConfig(entry.id, normalizeConfig(entry.config), {
      kind: 'catalogue',
      id: entry.id,
      files: [],
      fromCache: true,
      requests: 0,
      bytes: 0,
    });
    return spec;
  }
  throw new NoSuchModelError(
    argument,
    suggest(
      argument,
      listCatalogue().map((e) => e.id),
    ),
    'pass a Hub id (owner/name), a config.json or a .gguf file',
  );
}

/**
 * A local GGUF file's header (read in chunks, never the tensor data) as a {@link ModelSpec}.
 * @param path the `.gguf` file
 * @throws ModelParseError for a malformed header
 */
export async function loadLocalGguf(path: string, budget: { parseTimeBudgetMs?: number } = {}): Promise<ModelSpec> {
  // The size lets the reader refuse a truncated file instead of counting the tensors it still has.
  const fileSize = (await stat(path)).size;
  const inv = await readGgufHeader(path, undefined, basename(path), { allowLocalFile: true, fileSize, ...budget });
  const normalized = normalizeGgufConfig(inv);
  const arch = normalized.architecture;
  const synth = countParameters(synthesizeTensors(arch), arch).total;
  return {
    id: path,
    architecture: arch,
    tensors: inv.tensors,
    inventorySource: 'gguf',
    quantization: { method: 'gguf', ...(inv.fileType ? { fileType: inv.fileType } : {}), dataBytes: inv.dataBytes },
    parameters: { synthesized: synth, gguf: inv.parameters, agree: synth === inv.parameters },
    source: { kind: 'local', id: path, files: [path], fromCache: false, requests: 0, bytes: 0 },
    warnings: [
      ...normalized.warnings,
      ...(inv.split && inv.split.count > 1
        ? [
            `${basename(path)} is part ${inv.split.no + 1} of ${inv.split.count}; pass the Hub repository to sum all parts`,
          ]
        : []),
    ],
  };
}

/**
 * When a local folder holds safetensors files next to its config.json, their headers (only the
 * headers are read) become the inventory, as `exact` does for the Hub.
 */
async function withLocalSafetensors(
  spec: ModelSpec,
  dir: string,
  budget: { parseTimeBudgetMs?: number },
): Promise<ModelSpec> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const picked = pickSafetensorsFiles(names);
  let files = picked.files;
  if (picked.index) {
    const index = parseJsonObject(await readFile(join(dir, picked.index), 'utf8'), picked.index, budget);
    const map = (index.weight_map ?? {}) as Record<string, unknown>;
    files = [
      ...new Set(Object.values(map).filter((v): v is string => typeof v === 'string' && names.includes(v))),
    ].sort();
  }
  if (files.length === 0) return spec;
  const parts = [];
  for (const name of files) {
    const handle = await open(join(dir, name), 'r');
    try {
      const size = (await handle.stat()).size;
      const prefix = new Uint8Array(8);
      await handle.read(prefix, 0, 8, 0);
      const n = safetensorsHeaderLength(prefix, name);
      const bytes = new Uint8Array(8 + Math.min(n, Math.max(0, size - 8)));
      bytes.set(prefix);
      await handle.read(bytes, 8, bytes.byteLength - 8, 8);
      parts.push({ file: name, header: parseSafetensorsHeader(bytes, name, size, budget) });
    } finally {
      await handle.close();
    }
  }
  const arch = spec.architecture;
  const inv = inventoryFromHeaders(parts, arch.mtpLayers > 0 ? arch.layers.length : undefined);
  const text = inv.total - inv.nonText;
  return {
    ...spec,
    tensors: inv.tensors,
    inventorySource: 'safetensors',
    parameters: {
      ...spec.parameters,
      safetensorsHeaders: inv.total,
      ...(inv.nonText > 0 ? { nonText: inv.nonText } : {}),
      agree: text === spec.parameters.synthesized,
    },
    source: { ...spec.source, files: [...spec.source.files, ...files.map((f) => join(dir, f))] },
    warnings:
      text === spec.parameters.synthesized
        ? spec.warnings
        : [
            ...spec.warnings,
            `the safetensors headers hold ${text} text-model parameters, the config describes ${spec.parameters.synthesized}; estimates use the headers`,
          ],
  };
}
