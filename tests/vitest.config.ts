import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'packaging',
    include: ['*.test.ts'],
    // Packing, installing and type-checking tarballs on a loaded 2-core machine takes minutes, not seconds.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
