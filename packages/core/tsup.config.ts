import { defineConfig } from 'tsup';

export default defineConfig({
  // One output file per source module, not one bundle: with "sideEffects": false a consumer's
  // bundler then drops whole unused modules (and the valibot schemas they build at load time),
  // which it cannot do inside a single file. bench/size.mjs measures the result.
  entry: ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.bench.ts', '!src/**/__fixtures__/**', '!src/**/testing/**'],
  bundle: false,
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/inference.ts', 'src/serving.ts', 'src/training.ts'] },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
