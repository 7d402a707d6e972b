import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { main } from './main.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('opens with exactly the two commands: run an estimate, pass the tests', () => {
    const firstBlock = /^```sh\n([\s\S]*?)```/.exec(readme)?.[1]?.trim().split('\n');
    expect(firstBlock).toEqual([
      'npm install && npm run build && npm run -s vramkit -- estimate Qwen/Qwen3-8B --quant bf16 --context 32768',
      'npm install && npm test',
    ]);
  });

  it('shows the example output the CLI really prints', async () => {
    const cmd = '$ vramkit estimate Qwen/Qwen3-8B --quant bf16 --context 32768\n';
    const start = readme.indexOf(cmd) + cmd.length;
    const shown = readme.slice(start, readme.indexOf('```', start));
    let out = '';
    await main(['estimate', 'Qwen/Qwen3-8B', '--quant', 'bf16', '--context', '32768'], { out: (t) => (out += t), err: () => {}, env: { HOME: tmpdir(), HF_HUB_OFFLINE: '1' }, cwd: tmpdir() });
    expect(shown).toBe(out);
  });
});
