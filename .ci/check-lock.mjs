// Fails when package-lock.json lacks a platform's optional binary. npm ci refuses such a lock on
// the platforms it misses ("Missing: @biomejs/cli-darwin-arm64 from lock file"), and a lock written
// by a registry mirror that serves only the current platform's binaries looks complete on Linux.
// A package whose optional dependencies include platform binaries (entries with "os" or "cpu") must
// have every one of its optional dependencies locked, and its per-OS-and-CPU builds must
// cover Linux, macOS and Windows. Usage: node .ci/check-lock.mjs [package-lock.json]
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
const entries = lock.packages ?? {};
const REQUIRED_OS = ['linux', 'darwin', 'win32'];

/** The lock entry npm would install for `name` required from the package at `from` (node resolution). */
function resolveEntry(from, name) {
  let dir = from;
  for (;;) {
    const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (entries[key]) return entries[key];
    if (!dir) return undefined;
    const i = dir.lastIndexOf('node_modules/');
    dir = i <= 0 ? '' : dir.slice(0, i - 1);
  }
}

const problems = [];
let families = 0;
for (const [path, entry] of Object.entries(entries)) {
  const optional = Object.keys(entry.optionalDependencies ?? {});
  if (optional.length === 0) continue;
  const locked = optional.map((name) => [name, resolveEntry(path, name)]);
  const binaries = locked.filter(([, e]) => e && (e.os || e.cpu));
  if (binaries.length === 0) continue;
  const missing = locked.filter(([, e]) => !e).map(([name]) => name);
  if (missing.length > 0)
    problems.push(`${path}: ${missing.length} optional dependencies missing from the lock: ${missing.join(', ')}`);
  // Builds per OS and CPU (esbuild, biome, rollup, turbo) form a family that must cover every OS;
  // an OS-only optional (fsevents for macOS) is a feature of that OS, not a build.
  const builds = binaries.filter(([, e]) => e.os && e.cpu);
  if (builds.length < 2) continue;
  families += 1;
  const covered = new Set(builds.flatMap(([, e]) => e.os ?? REQUIRED_OS));
  const uncovered = REQUIRED_OS.filter((os) => !covered.has(os));
  if (uncovered.length > 0) problems.push(`${path}: no locked binary for ${uncovered.join(', ')}`);
}

if (problems.length > 0) {
  console.error(`${file} is incomplete:\n  ${problems.join('\n  ')}`);
  console.error(
    'Regenerate it with every platform: rm package-lock.json && npm install --package-lock-only (against a registry that serves every platform).',
  );
  process.exit(1);
}
console.log(`${file}: ${families} packages with per-platform builds, each locked for ${REQUIRED_OS.join(', ')}`);
