import { defineConfig } from 'vite';

export default defineConfig({
  base: '/pay/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No inline script: the page's CSP allows only its own files.
    assetsInlineLimit: 0,
    // No preload helper: the one lazy chunk (Stripe's fields) has no CSS of its own.
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
