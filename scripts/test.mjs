#!/usr/bin/env node
// `npm test`: sets the machine up, then runs every suite — the unit and integration tests
// (vitest, SQLite and PostgreSQL), the browser specs (Playwright), and the browser specs
// again on PostgreSQL — each even when one before it failed, and ends with one summary
// line per suite and, under it, every test that failed (or passed only on a retry) with
// the first line of its error: the end of a long log says what broke. Exits non-zero if
// any suite failed. Plain Node: nothing else is installed yet.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Not under test-results/: Playwright empties that folder when it starts.
const reports = join(root, 'test-reports');
const run = (cmd, args, env = {}) => {
  const start = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return { status: r.status ?? 1, seconds: Math.round((Date.now() - start) / 1000) };
};

const setup = run(process.execPath, ['scripts/setup.mjs', '--quiet', '--browser']);
if (setup.status !== 0) process.exit(setup.status);
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const report = (name) => join(reports, `${name}.json`);
const suites = [
  {
    name: 'unit and integration (vitest)',
    cmd: 'npx',
    args: [
      'vitest',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report('vitest')}`,
    ],
    report: report('vitest'),
    kind: 'vitest',
  },
  {
    name: 'browser (Playwright)',
    cmd: 'npx',
    args: ['playwright', 'test'],
    env: { KASSA_E2E_REPORT: report('browser') },
    report: report('browser'),
    kind: 'playwright',
  },
  {
    name: 'browser on PostgreSQL',
    cmd: process.execPath,
    args: ['scripts/e2e-postgres.mjs'],
    env: { KASSA_E2E_REPORT: report('browser-postgres') },
    report: report('browser-postgres'),
    kind: 'playwright',
  },
];

/** The first two lines of an error that say something. */
const firstLines = (text) =>
  String(text ?? '')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes in error text
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, 2)
    .join(' | ');

/** Failed and flaky tests of one suite's JSON report: `[{ verdict, title, why }]`. */
function problemsOf(suite) {
  if (!existsSync(suite.report)) return [];
  const json = JSON.parse(readFileSync(suite.report, 'utf8'));
  if (suite.kind === 'vitest') {
    return (json.testResults ?? []).flatMap((file) =>
      (file.assertionResults ?? [])
        .filter((t) => t.status === 'failed')
        .map((t) => ({
          verdict: 'failed',
          title: `${file.name.replace(`${root}/`, '')} › ${t.fullName}`,
          why: firstLines(t.failureMessages?.[0]),
        }))
        .concat(
          file.status === 'failed' && (file.assertionResults ?? []).length === 0
            ? [
                {
                  verdict: 'failed',
                  title: file.name.replace(`${root}/`, ''),
                  why: firstLines(file.message),
                },
              ]
            : [],
        ),
    );
  }
  const out = [];
  const walk = (s, path) => {
    for (const spec of s.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status !== 'unexpected' && t.status !== 'flaky') continue;
        const bad = (t.results ?? []).find((r) => r.status !== 'passed' && r.status !== 'skipped');
        out.push({
          verdict: t.status === 'flaky' ? 'flaky' : 'failed',
          title: `${spec.file}:${spec.line} › ${[...path, spec.title].join(' › ')}`,
          why: firstLines(bad?.error?.message ?? bad?.status),
        });
      }
    }
    // The top-level suites are files; the ones under them are describe blocks.
    for (const child of s.suites ?? []) walk(child, [...path, child.title]);
  };
  for (const s of json.suites ?? []) walk(s, []);
  for (const e of json.errors ?? [])
    out.push({ verdict: 'failed', title: '(outside a test)', why: firstLines(e.message) });
  return out;
}

const results = suites.map((s) => ({ ...s, ...run(s.cmd, s.args, s.env) }));
process.stdout.write('\n== npm test: every suite\n');
for (const r of results) {
  process.stdout.write(`${r.status === 0 ? 'passed' : 'FAILED'}  ${r.name} (${r.seconds} s)\n`);
  for (const p of problemsOf(r)) {
    process.stdout.write(`   ${p.verdict}: ${p.title}\n      ${p.why.slice(0, 300)}\n`);
  }
}
const failed = results.filter((r) => r.status !== 0);
process.exit(failed.length === 0 ? 0 : 1);
