// pnpm bench [--quick]: starts the gateway on fresh SQLite files, drives it over loopback,
// prints a table and writes bench/results.json. Speed figures come with a baseline from
// the same run; the run fails only when something is broken or over a size budget.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probePostgres, TEST_DATABASE_URL } from '@kassa/server';
import { apiBench } from './api.ts';
import { browserBench } from './browser.ts';
import { growthBench } from './growth.ts';
import { postgresBench } from './postgres.ts';
import { webhookBench } from './webhooks.ts';

const quick = process.argv.includes('--quick');
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'kassa-bench-'));
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const started = Date.now();
const step = (name: string) =>
  process.stderr.write(`[bench] ${name} (${Math.round((Date.now() - started) / 1000)} s)\n`);

const sizes = {
  checkout: JSON.parse(readFileSync(join(root, 'packages/checkout/dist/size.json'), 'utf8')),
  page: JSON.parse(readFileSync(join(root, 'packages/hosted-page/dist/size.json'), 'utf8')),
};

step('API: baseline, create, confirm, get');
const api = await apiBench({ quick, dir });
step('growth');
const growth = await growthBench({ quick, dir });
step('webhooks');
const webhooks = await webhookBench({ quick, dir });
step('postgres');
const pgUrl = process.env.KASSA_BENCH_DATABASE_URL ?? TEST_DATABASE_URL;
const pgDown = await probePostgres(pgUrl);
if (pgDown && process.env.KASSA_REQUIRE_POSTGRES === '1') {
  throw new Error(`bench: KASSA_REQUIRE_POSTGRES=1 but PostgreSQL is unreachable: ${pgDown}`);
}
if (pgDown) {
  process.stderr.write(
    `\n!!! bench: the PostgreSQL section is SKIPPED: ${pgUrl.split('@').pop()} is unreachable (${pgDown})\n\n`,
  );
}
const pgRun = pgDown ? null : await postgresBench({ quick, dir, url: pgUrl });
step('browser');
const browser = await browserBench({
  quick,
  dir,
  checkoutJs: join(root, 'packages/checkout/dist/checkout.js'),
});
rmSync(dir, { recursive: true, force: true });

const results = {
  quick,
  create_rps: round(api.create.rps),
  confirm_rps: round(api.confirm.rps),
  get_rps: round(api.get.rps),
  baseline_rps: round(api.baseline.rps),
  create_ratio: round(api.create.rps / api.baseline.rps, 3),
  confirm_ratio: round(api.confirm.rps / api.baseline.rps, 3),
  create_p50_ms: api.create.p50,
  create_p99_ms: api.create.p99,
  confirm_p99_ms: api.confirm.p99,
  webhook_deliveries_per_s: round(webhooks.perSecond),
  webhook_p50_ms: webhooks.p50,
  webhook_p99_ms: webhooks.p99,
  growth_rows: growth.count,
  growth_create_p99_ratio: round(growth.full.createP99 / growth.empty.createP99, 3),
  growth_list_ratio: round(growth.full.listP50 / growth.empty.listP50, 3),
  dashboard_list_p50_ms: growth.full.dashListP50,
  dashboard_list_ratio: round(growth.full.dashListP50 / growth.empty.dashListP50, 3),
  dashboard_deep_page_p50_ms: growth.full.dashDeepP50,
  dashboard_search_p50_ms: growth.full.dashSearchP50,
  dashboard_filter_p50_ms: growth.full.dashFilterP50,
  dashboard_overview_30d_p50_ms: growth.full.dashOverviewP50,
  rss_mb: round(api.rss),
  pg_create_rps_p1: pgRun ? round(pgRun.p1.rps) : null,
  pg_create_rps_p2: pgRun ? round(pgRun.p2.rps) : null,
  pg_create_p99_ms_p2: pgRun ? pgRun.p2.p99 : null,
  pg_scaling_ratio: pgRun ? round(pgRun.p2.rps / pgRun.p1.rps, 3) : null,
  pg_p2_vs_sqlite_create: pgRun ? round(pgRun.p2.rps / api.create.rps, 3) : null,
  pg_webhook_deliveries_per_s: pgRun ? round(pgRun.webhooks.perSecond) : null,
  open_to_ready_ms: round(browser.openToReadyMs),
  checkout_main_thread_ms: round(browser.checkoutMainThreadMs, 2),
  checkout_js_gzip_bytes: sizes.checkout.gzip_bytes,
  hosted_page_gzip_bytes: sizes.page.gzip_bytes,
  detail: {
    api,
    growth,
    webhooks,
    postgres: pgRun,
    browser: { runs: browser.runs, samples: browser.samples },
  },
};
writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);

const targets: [keyof typeof results, string, (v: number) => boolean][] = [
  ['create_rps', '', () => true],
  ['confirm_rps', '', () => true],
  ['get_rps', '', () => true],
  ['baseline_rps', '', () => true],
  ['create_ratio', '>= 0.5', (v) => v >= 0.5],
  ['confirm_ratio', '>= 0.3', (v) => v >= 0.3],
  ['create_p50_ms', '', () => true],
  ['create_p99_ms', '<= 15', (v) => v <= 15],
  ['confirm_p99_ms', '', () => true],
  ['webhook_deliveries_per_s', '>= 2000', (v) => v >= 2000],
  ['webhook_p50_ms', '', () => true],
  ['webhook_p99_ms', '<= 100', (v) => v <= 100],
  ['growth_create_p99_ratio', '<= 1.2', (v) => v <= 1.2],
  ['growth_list_ratio', '<= 1.2', (v) => v <= 1.2],
  ['dashboard_list_p50_ms', '', () => true],
  ['dashboard_list_ratio', '<= 1.2', (v) => v <= 1.2],
  ['dashboard_deep_page_p50_ms', '', () => true],
  ['dashboard_search_p50_ms', '', () => true],
  ['dashboard_filter_p50_ms', '', () => true],
  ['dashboard_overview_30d_p50_ms', '', () => true],
  ['rss_mb', '<= 150', (v) => v <= 150],
  ['pg_create_rps_p1', '', () => true],
  ['pg_create_rps_p2', '', () => true],
  ['pg_create_p99_ms_p2', '', () => true],
  ['pg_scaling_ratio', '', () => true],
  ['pg_p2_vs_sqlite_create', '>= 1.0', (v) => v >= 1],
  ['pg_webhook_deliveries_per_s', '>= 2000', (v) => v >= 2000],
  ['open_to_ready_ms', '<= 300', (v) => v <= 300],
  ['checkout_main_thread_ms', '<= 5', (v) => v <= 5],
  ['checkout_js_gzip_bytes', '<= 3072', (v) => v <= 3072],
  ['hosted_page_gzip_bytes', '<= 30720', (v) => v <= 30720],
];
const lines = targets.map(([k, target, ok]) => {
  const v = results[k] as number | null;
  const mark = v === null ? 'skipped' : target ? (ok(v) ? 'met' : 'MISSED') : '';
  return `| ${k.padEnd(26)} | ${String(v).padStart(10)} | ${target.padEnd(8)} | ${mark.padEnd(6)} |`;
});
process.stdout.write(
  [
    `Kassa bench${quick ? ' (quick)' : ''}: ${growth.count} rows for growth, ${webhooks.count} webhook events, ${browser.runs} browser runs; ${Math.round((Date.now() - started) / 1000)} s`,
    '| metric                     |      value | target   |        |',
    '|----------------------------|-----------:|----------|--------|',
    ...lines,
    '',
  ].join('\n'),
);
if (results.checkout_js_gzip_bytes > 3072 || results.hosted_page_gzip_bytes > 30720) {
  process.stderr.write('bench: a bundle is over its size budget\n');
  process.exit(1);
}
