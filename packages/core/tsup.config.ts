import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/inference.ts', 'src/serving.ts', 'src/training.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
});
