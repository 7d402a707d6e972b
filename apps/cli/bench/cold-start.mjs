// CLI cold start next to `node -e 0`: median wall time of N runs of each, and their ratio.
// Usage: node apps/cli/bench/cold-start.mjs [runs]   (after npm run build)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 15);
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(args) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const baseline = time(['-e', '0']);
const help = time([bin, '--help']);
const estimate = time([bin, 'estimate', 'Qwen/Qwen3-8B', '--context', '32768', '--json']);
const row = (name, ms) => `${name.padEnd(34)} ${ms.toFixed(1).padStart(7)} ms  ${(ms / baseline).toFixed(2)}× node -e 0`;
console.log(`median of ${runs} runs`);
console.log(row('node -e 0', baseline));
console.log(row('vramkit --help', help));
console.log(row('vramkit estimate Qwen/Qwen3-8B', estimate));
