#!/usr/bin/env node
// Sets up a fresh machine for Kassa: pnpm, then the workspace's dependencies.
// Plain Node with no dependencies, so it runs before anything is installed.
// Used by `npm start`, `npm test` and .ci/run; safe to run again (it only does what is missing).
// `--browser` also installs Debian's Chromium for the end-to-end tests.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const log = (msg) => quiet || process.stderr.write(`[setup] ${msg}\n`);

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd) {
  log(`$ ${cmd}`);
  execSync(cmd, { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  process.stderr.write(`Kassa needs Node.js 20 or newer; this is ${process.version}.\n`);
  process.exit(1);
}

const pnpmVersion = JSON.parse(
  readFileSync(join(root, 'package.json'), 'utf8'),
).packageManager.split('@')[1];
if (!has('pnpm')) run(`npm install -g pnpm@${pnpmVersion.split('.')[0]}`);

// better-sqlite3 compiles from source here (its prebuilt download is unreachable); point
// node-gyp at the headers Node ships with rather than a download.
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) {
  process.env.npm_config_nodedir = '/usr';
}

const withBrowser = process.argv.includes('--browser');
const chromium = '/usr/bin/chromium';
if (withBrowser && !existsSync(chromium)) {
  // Playwright's own browser download cannot be reached here; Debian's Chromium can.
  if (process.getuid?.() === 0)
    run('apt-get update -qq && apt-get install -y -qq chromium >/dev/null');
  else {
    process.stderr.write('The browser tests need Chromium: sudo apt-get install -y chromium\n');
    process.exit(1);
  }
}

// Hindi screens are tested and kept as screenshots: without a Devanagari font they would
// render as empty boxes.
const devanagari = '/usr/share/fonts/truetype/lohit-devanagari';
if (withBrowser && !existsSync(devanagari)) {
  if (process.getuid?.() === 0) {
    run(
      '(apt-get install -y -qq fonts-lohit-deva || (apt-get update -qq && apt-get install -y -qq fonts-lohit-deva)) >/dev/null',
    );
  } else {
    process.stderr.write(
      'Hindi screens need a Devanagari font: sudo apt-get install -y fonts-lohit-deva\n',
    );
  }
}

const stamp = join(root, 'node_modules/.pnpm/lock.yaml');
const lock = join(root, 'pnpm-lock.yaml');
const fresh = existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(lock).mtimeMs;
if (!fresh) run('pnpm install --frozen-lockfile');
else log('dependencies are up to date');

// checkout.js and the hosted page are built files the gateway serves; both builds
// take a second and fail when a size budget is exceeded.
run('pnpm --silent -r build');
