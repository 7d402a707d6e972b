import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testGpu } from './__fixtures__/gpu-device.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const nodeExample = readme.split('## In Node')[1]!.match(/```js\n([\s\S]*?)```/)![1]!;
const gpu = await testGpu();
gpu?.device.destroy();
const built = ['', '../core/', '../models/'].every((p) => existsSync(`${root}${p}dist/index.js`));

describe.runIf(gpu)('README', () => {
  // Runs against the build, as a user's script would (npm test builds first).
  it.runIf(built || process.env.CI === 'true')('the Node example prints what its comments say', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', nodeExample], {
      cwd: root,
      encoding: 'utf8',
      env: process.env,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    for (const line of nodeExample.matchAll(/^\/\/ ((?:naive|flash) .*)$/gm)) expect(out).toContain(line[1]);
    expect(out).toMatch(/swiftshader.* true \d+(\.\d+)? GB\/s \d+\.\d+ tok\/s \(bf16\)/i);
  });
});
