// CLI cold start as a ratio to `node -e 0`: an offline `vramkit estimate <config.json> --json`
// (target ≤ 2.0×) and `vramkit --help`. Runs alternate (node, help, estimate, node, …) so that a
// machine busy with other work slows every command alike; each row is the median of its runs.
// Usage: node apps/cli/bench/cold-start.mjs [runs]   (after npm run build)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 21);
const TARGET = 2.0;
const bin = fileURLToPath(new URL('../bin/vramkit.js', import.meta.url));
const config = fileURLToPath(
  new URL('../../../packages/models/catalogue/configs/Qwen__Qwen3-8B.json', import.meta.url),
);
// Offline: the estimate must not touch the network.
const env = { ...process.env, HF_HUB_OFFLINE: '1', VRAMKIT_CONFIG: '' };

const cases = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'vramkit --help', args: [bin, '--help'] },
  {
    name: 'vramkit estimate <config.json> --json',
    args: [bin, 'estimate', config, '--context', '32768', '--json'],
    target: TARGET,
  },
];

function once(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const samples = cases.map(() => []);
for (const c of cases) once(c.args); // warm the file cache
for (let i = 0; i < runs; i++) {
  cases.forEach((c, j) => {
    samples[j].push(once(c.args));
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(samples[0]);

console.log(`cold start, median of ${runs} alternating runs`);
cases.forEach((c, j) => {
  const ms = median(samples[j]);
  const ratio = ms / base;
  const verdict = c.target ? `  target ≤ ${c.target.toFixed(1)}×: ${ratio <= c.target ? 'met' : 'NOT met'}` : '';
  console.log(`${c.name.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms  ${ratio.toFixed(2)}× node -e 0${verdict}`);
});
