#!/usr/bin/env node
// `npm test`: sets the machine up, then runs every suite — the unit and integration tests
// (vitest, SQLite and PostgreSQL), the browser specs (Playwright), and the browser specs
// again on PostgreSQL — each even when one before it failed, and ends with one summary
// line per suite. Exits non-zero if any failed. Plain Node: nothing else is installed yet.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const start = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  return { status: r.status ?? 1, seconds: Math.round((Date.now() - start) / 1000) };
};

const setup = run(process.execPath, ['scripts/setup.mjs', '--quiet', '--browser']);
if (setup.status !== 0) process.exit(setup.status);

const suites = [
  ['unit and integration (vitest)', 'npx', ['vitest', 'run']],
  ['browser (Playwright)', 'npx', ['playwright', 'test']],
  ['browser on PostgreSQL', process.execPath, ['scripts/e2e-postgres.mjs']],
];
const results = suites.map(([name, cmd, args]) => ({ name, ...run(cmd, args) }));
process.stdout.write('\n== npm test: every suite\n');
for (const r of results) {
  process.stdout.write(`${r.status === 0 ? 'passed' : 'FAILED'}  ${r.name} (${r.seconds} s)\n`);
}
const failed = results.filter((r) => r.status !== 0);
process.exit(failed.length === 0 ? 0 : 1);
