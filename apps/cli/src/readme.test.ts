import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The `npx vramkit …` commands of the README's shell blocks, continuation lines joined, comments dropped. */
function readmeCommands(): string[][] {
  const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((l) => l.replace(/\s#.*$/, '').trim())
    .filter((l) => l.startsWith('npx vramkit '))
    .map((l) => l.split(/\s+/).slice(2));
}

/** Runs the CLI in-process as the README's reader would from the repository root, offline. */
async function run(argv: string[]) {
  let out = '';
  let err = '';
  const home = mkdtempSync(join(tmpdir(), 'vramkit-readme-'));
  const code = await main(argv, {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { HOME: home, HF_HUB_OFFLINE: '1' },
    cwd: repoRoot,
  });
  return { code, out, err };
}

describe('README', () => {
  it('opens with exactly the two commands: run an estimate, pass the tests', () => {
    const firstBlock = /^```sh\n([\s\S]*?)```/.exec(readme)?.[1]?.trim().split('\n');
    expect(firstBlock).toEqual([
      'npm install && npm run build && npx vramkit estimate Qwen/Qwen3-8B --quant bf16 --context 32768',
      'npm install && npm test',
    ]);
  });

  it('shows the example output the CLI really prints', async () => {
    const cmd = '$ npx vramkit estimate Qwen/Qwen3-8B --quant bf16 --context 32768\n';
    const start = readme.indexOf(cmd) + cmd.length;
    expect(start).toBeGreaterThan(cmd.length);
    const shown = readme.slice(start, readme.indexOf('```', start));
    const r = await run(['estimate', 'Qwen/Qwen3-8B', '--quant', 'bf16', '--context', '32768']);
    expect(shown).toBe(r.out);
  });

  it('writes every example the way it runs: npx vramkit, no bare vramkit commands', () => {
    const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
    const bare = blocks.flatMap((b) => b.split('\n')).filter((l) => /^vramkit\s/.test(l.trim()));
    expect(bare).toEqual([]);
    expect(readmeCommands().length).toBeGreaterThan(10);
  });

  // Each example, offline from the embedded catalogue: it must exit 0 and print something.
  it.each(readmeCommands().map((argv) => [argv.join(' '), argv]))('npx vramkit %s exits 0', async (_line, argv) => {
    const r = await run(argv as string[]);
    expect(r.err, r.err).not.toMatch(/^vramkit: /m);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(0);
  });
});
