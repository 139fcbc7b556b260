// Fails the build when the dashboard's JS and CSS together are over budget (gzip).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const BUDGET_GZIP_BYTES = 80 * 1024;
const dir = new URL('./dist/assets/', import.meta.url);
const files = readdirSync(dir).filter((f) => /\.(js|css)$/.test(f));
const gzip = files.reduce(
  (n, f) => n + gzipSync(readFileSync(new URL(f, dir)), { level: 9 }).length,
  0,
);
writeFileSync(
  new URL('./dist/size.json', import.meta.url),
  `${JSON.stringify({ files, gzip_bytes: gzip, budget_gzip_bytes: BUDGET_GZIP_BYTES })}\n`,
);
console.log(`dashboard: ${files.join(', ')}: ${gzip} B gzip (budget ${BUDGET_GZIP_BYTES})`);
if (gzip > BUDGET_GZIP_BYTES) {
  console.error(`the dashboard is over its ${BUDGET_GZIP_BYTES} B gzip budget`);
  process.exit(1);
}
