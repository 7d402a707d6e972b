import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('..', import.meta.url));

/** Builds the site once when `dist/` has no calculator page (`npm test` builds it first through turbo). */
export default function setup(): void {
  if (existsSync(`${app}/dist/calculator.html`)) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: app, stdio: 'inherit' });
}
