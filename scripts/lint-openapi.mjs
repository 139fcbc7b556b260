#!/usr/bin/env node
// Writes the gateway's OpenAPI documents (`kassa openapi`, and `--dashboard`) to .openapi/
// and lints them with Redocly (redocly.yaml) and Spectral (.spectral.yaml). Any error, or any
// warning not listed with its reason in redocly.yaml / .redocly.lint-ignore.yaml, fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], ...opts });

mkdirSync(join(root, '.openapi'), { recursive: true });
const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };

/** Writes one document (`kassa openapi` and its flags) and lints it; any problem fails. */
function lint(name, flags) {
  const file = join('.openapi', name);
  const doc = run(process.execPath, [
    '--import',
    'tsx',
    'packages/server/src/cli/main.ts',
    'openapi',
    ...flags,
  ]);
  writeFileSync(join(root, file), doc);
  const spec = JSON.parse(readFileSync(join(root, file), 'utf8'));
  let operations = 0;
  for (const item of Object.values(spec.paths)) operations += Object.keys(item).length;
  console.log(
    `${name}: ${operations} operations on ${Object.keys(spec.paths).length} paths, ${Object.keys(spec.webhooks ?? {}).length} webhooks`,
  );
  // Redocly: the report (for reading), then the totals: any error or warning fails.
  execFileSync(bin('redocly'), ['lint', file, '--max-problems', '200'], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  const totals = JSON.parse(
    execFileSync(bin('redocly'), ['lint', file, '--format', 'json'], {
      cwd: root,
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ).totals;
  console.log(
    `redocly: ${totals.errors} errors, ${totals.warnings} warnings, ${totals.ignored} ignored with a reason`,
  );
  if (totals.errors + totals.warnings > 0) process.exit(1);
  execFileSync(
    bin('spectral'),
    ['lint', file, '--fail-severity', 'warn', '--ruleset', '.spectral.yaml'],
    { cwd: root, stdio: 'inherit' },
  );
  console.log('spectral: 0 errors, 0 warnings');
}

lint('openapi.json', []);
// The dashboard's own API (not public), held to the same rules.
lint('dashboard.json', ['--dashboard']);
