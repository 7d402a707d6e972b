import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigValidationError, VramkitError } from '@vramkit/core';
import { catalogueModel, type NormalizedConfig, normalizeConfig } from '@vramkit/models';

/** A model argument resolved to its normalized config and where it came from. */
export interface ModelSource extends NormalizedConfig {
  /** What the user typed. */
  argument: string;
  /** `file:<path>` or `catalogue:<hub id>`. */
  source: string;
  /** A display name: the Hub id or the config's path. */
  name: string;
}

function looksLikePath(arg: string): boolean {
  return arg.startsWith('.') || arg.startsWith('/') || arg.startsWith('~') || arg.endsWith('.json') || isAbsolute(arg) || arg.includes('\\');
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Resolves a model argument: a `config.json`, a folder holding one, or a Hub id from the embedded
 * catalogue. Never touches the network.
 * @throws VramkitError (`NO_SUCH_MODEL`, `CONFIG_VALIDATION`, `PARSE_ERROR`, …)
 */
export async function resolveModel(argument: string, cwd: string): Promise<ModelSource> {
  const candidate = resolve(cwd, argument);
  const dir = await isDirectory(candidate);
  if (looksLikePath(argument) || dir) {
    const file = dir ? join(candidate, 'config.json') : candidate;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new VramkitError('NO_SUCH_MODEL', `Cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}. Pass a config.json, a folder holding one, or a Hub id.`, {
        path: 'model',
        cause,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new ConfigValidationError(undefined, [{ path: '(root)', message: `${file} is not valid JSON (${(cause as Error).message})` }], { cause });
    }
    return { ...normalizeConfig(json), argument, source: `file:${file}`, name: argument };
  }
  const m = catalogueModel(argument);
  return { ...m, argument, source: `catalogue:${m.entry.id}`, name: m.entry.id };
}
