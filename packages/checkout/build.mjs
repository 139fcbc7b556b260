// Builds dist/checkout.js (one minified IIFE) and fails when it is over budget.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const BUDGET_GZIP_BYTES = 3072;
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url)));

await build({
  entryPoints: [new URL('./src/index.ts', import.meta.url).pathname],
  outfile: new URL('./dist/checkout.js', import.meta.url).pathname,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  define: { __KASSA_VERSION__: JSON.stringify(version) },
  legalComments: 'none',
});

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
