import { defineConfig, type Plugin } from 'vite';

/**
 * Vite wraps every `import()` in a helper that loads the chunk's CSS first (~0.7 KB gzip
 * of the card path). No lazy chunk here has CSS of its own (check-size.mjs fails the build
 * if one does), so each wrapper is given nothing to preload: the plain import does.
 */
const noPreloadHelper: Plugin = {
  name: 'kassa:no-preload-helper',
  enforce: 'pre',
  load(id) {
    return id === '\0vite/preload-helper.js'
      ? 'export const __vitePreload = (load) => load();'
      : undefined;
  },
};

export default defineConfig({
  base: '/pay/',
  plugins: [noPreloadHelper],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline script: the page's CSP allows only its own files.
    assetsInlineLimit: 0,
    // A lazy chunk's imports load when it runs, not ahead (nor its CSS: see above).
    modulePreload: false,
    // Which files each chunk loads: check-size.mjs measures the card path from it.
    manifest: true,
    rolldownOptions: {
      output: {
        // Everything a card payment needs in one file beside the entry; the rest (Stripe's
        // fields, the waiting screens, the UPI QR code, Hindi) in chunks of their own.
        codeSplitting: { groups: [{ name: 'page', tags: ['$initial'] }] },
      },
    },
  },
});
