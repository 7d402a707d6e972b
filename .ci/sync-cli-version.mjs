// After `changeset version`: writes apps/cli's package.json version into the CLI's VERSION constant
// (apps/cli/src/version.ts; a test holds the two equal), so `vramkit --version` says what was published.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './workspaces.mjs';

const { version } = JSON.parse(readFileSync(join(root, 'apps/cli/package.json'), 'utf8'));
const file = join(root, 'apps/cli/src/version.ts');
const text = readFileSync(file, 'utf8');
const next = text.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`);
if (next === text && !text.includes(`'${version}'`)) throw new Error(`no VERSION constant in ${file}`);
writeFileSync(file, next);
console.log(`apps/cli/src/version.ts: VERSION = '${version}'`);
