// Builds dist/checkout.js (one IIFE: esbuild bundles and minifies, terser squeezes the
// last bytes) and fails when it is over budget.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { minify } from 'terser';

export const BUDGET_GZIP_BYTES = 2048;
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url)));

await build({
  entryPoints: [new URL('./src/index.ts', import.meta.url).pathname],
  outfile: new URL('./dist/checkout.js', import.meta.url).pathname,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022', 'chrome91', 'firefox90', 'safari15'],
  charset: 'utf8',
  define: { __KASSA_VERSION__: JSON.stringify(version) },
  legalComments: 'none',
});

// The modal's stylesheet and the words of languages beyond English, fetched by checkout.js
// from the gateway only when a modal opens (and in that language).
await build({
  entryPoints: [new URL('./src/checkout.css', import.meta.url).pathname],
  outfile: new URL('./dist/checkout.css', import.meta.url).pathname,
  bundle: true,
  minify: true,
  charset: 'utf8',
  logLevel: 'warning',
});
for (const locale of ['hi']) {
  const words = JSON.parse(readFileSync(new URL(`./src/${locale}.json`, import.meta.url), 'utf8'));
  writeFileSync(new URL(`./dist/${locale}.json`, import.meta.url), JSON.stringify(words));
}

const squeezed = await minify(
  readFileSync(new URL('./dist/checkout.js', import.meta.url), 'utf8'),
  {
    compress: { passes: 3, ecma: 2020 },
    mangle: { toplevel: true },
    ecma: 2020,
    format: { ascii_only: false },
  },
);
writeFileSync(new URL('./dist/checkout.js', import.meta.url), squeezed.code);
const code = readFileSync(new URL('./dist/checkout.js', import.meta.url));
const gzip = gzipSync(code, { level: 9 }).length;
writeFileSync(
  new URL('./dist/size.json', import.meta.url),
  `${JSON.stringify({ version, bytes: code.length, gzip_bytes: gzip, budget_gzip_bytes: BUDGET_GZIP_BYTES })}\n`,
);
console.log(
  `checkout.js ${version}: ${code.length} B, ${gzip} B gzip (budget ${BUDGET_GZIP_BYTES})`,
);
if (gzip > BUDGET_GZIP_BYTES) {
  console.error(`checkout.js is over its ${BUDGET_GZIP_BYTES} B gzip budget`);
  process.exit(1);
}
