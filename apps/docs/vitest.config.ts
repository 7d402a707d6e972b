import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: '@vramkit/docs',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The browser tests share one built site; the globalSetup builds it when dist/ is missing.
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
