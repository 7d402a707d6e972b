import { defineConfig } from 'vitest/config';

/** The root test configuration: one project per package, run with `vitest run --config vitest.workspace.ts`. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tests'],
  },
});
