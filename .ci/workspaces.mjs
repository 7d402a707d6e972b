// The workspace's packages, found the way npm finds them (the root package.json "workspaces" globs,
// `dir/*` or a literal folder), so scripts and tests pick up new packages without a list to edit.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Every workspace package: its folder, its folder relative to the root, and its manifest.
 * @param {{ publishable?: boolean }} [options] `publishable: true` skips `"private": true` packages
 * @returns {{ dir: string, rel: string, pkg: Record<string, any> }[]} sorted by folder
 */
export function workspacePackages(options = {}) {
  const globs = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces ?? [];
  const rels = globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [glob];
    const parent = glob.slice(0, -2);
    if (!existsSync(join(root, parent))) return [];
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${parent}/${d.name}`);
  });
  return [...new Set(rels)]
    .filter((rel) => existsSync(join(root, rel, 'package.json')))
    .sort()
    .map((rel) => ({
      dir: join(root, rel),
      rel,
      pkg: JSON.parse(readFileSync(join(root, rel, 'package.json'), 'utf8')),
    }))
    .filter((p) => !options.publishable || p.pkg.private !== true);
}
