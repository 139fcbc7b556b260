import { defineConfig } from 'tsup';

// The published JavaScript: one ESM file. Declarations come from `tsc` (build.mjs).
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  sourcemap: true,
  external: ['zod'],
});
