/**
 * The repository's recorded data, read where it lives. The validation fixtures and the catalogue are
 * read through the ground-truth helpers of apps/cli (one reader of `validation/`, shared with its tests).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Repository root, from this file (packages/accuracy/src). */
const ROOT = new URL('../../../', import.meta.url);

/** Reads a JSON file below the repository root. */
export function readRepoJson<T>(path: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(path, ROOT)), 'utf8')) as T;
}

/** Absolute path of a file below the repository root. */
export const repoPath = (path: string) => fileURLToPath(new URL(path, ROOT));

export {
  catalogueModel,
  reducedOverrides,
  validationFixture,
} from '../../../apps/cli/src/train/ground-truth/fixtures.js';
