#!/usr/bin/env node
// The `kassa` command. Runs the TypeScript CLI through tsx, so the workspace needs no
// build step; the child gets our signals so that Ctrl-C stops the gateway cleanly.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const child = spawn(
  process.execPath,
  ['--import', import.meta.resolve('tsx'), main, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
