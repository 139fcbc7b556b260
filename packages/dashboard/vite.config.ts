import { defineConfig } from 'vite';

export default defineConfig({
  base: '/dashboard/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // No inline script or style: the page's CSP allows only its own files.
    assetsInlineLimit: 0,
    modulePreload: false,
  },
});
