import { defineProject } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared.js';
import pkg from './package.json' with { type: 'json' };

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: pkg.name,
    include: ['src/**/*.test.ts'],
  },
});
