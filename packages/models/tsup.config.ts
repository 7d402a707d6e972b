import { defineConfig } from 'tsup';

export default defineConfig({
  // One output file per source module (see packages/core/tsup.config.ts): a page that only
  // normalizes configs does not carry the catalogue or the Hub client.
  entry: ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.bench.ts', '!src/**/__fixtures__/**'],
  bundle: false,
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts', 'testing/index': 'src/testing/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
