import { existsSync } from 'node:fs';
import { defineProject } from 'vitest/config';
import { sourceAliases, wgslText } from '../../vitest.shared.js';

// Dawn finds no Vulkan driver on a machine without a GPU unless pointed at SwiftShader, which
// Debian's chromium package ships (apt-get install -y chromium libvulkan1).
const swiftshader = '/usr/lib/chromium/vk_swiftshader_icd.json';

export default defineProject({
  plugins: [wgslText],
  resolve: { alias: sourceAliases },
  test: {
    name: '@vramkit/kernels-webgpu',
    include: ['src/**/*.test.ts'],
    env: process.env.VK_ICD_FILENAMES || !existsSync(swiftshader) ? {} : { VK_ICD_FILENAMES: swiftshader },
    // SwiftShader runs shaders on the CPU; the machine's two cores are shared.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
