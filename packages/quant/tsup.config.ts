import { defineConfig } from 'tsup';

export default defineConfig({
  // One output file per source module (see packages/core/tsup.config.ts): consumers' bundlers drop
  // the formats they do not import.
  entry: ['src/**/*.ts', '!src/**/*.test.ts', '!src/**/*.bench.ts', '!src/**/__fixtures__/**'],
  bundle: false,
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/testing.ts'] },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
