import { defineConfig } from 'vite';

export default defineConfig({
  base: '/pay/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // No inline script: the page's CSP allows only its own files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
