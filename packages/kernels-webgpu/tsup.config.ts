import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  // The declarations name GPUDevice & co.; consumers get them from @webgpu/types (a dependency).
  dts: { banner: '/// <reference types="@webgpu/types" />' },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  tsconfig: 'tsconfig.build.json',
  // Shaders are bundled as strings, so the package runs from a CDN or a bundler with no file loader.
  loader: { '.wgsl': 'text' },
});
