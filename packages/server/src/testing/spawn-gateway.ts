import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkAnswersOf } from './checked-fetch.ts';

const SERVER_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface SpawnedGateway {
  url: string;
  child: ChildProcess;
  output: () => string;
  secretKey: string;
  publishableKey: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Everything a child prints, kept for error messages; resolves `exited` when it ends. */
function capture(child: ChildProcess) {
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { output: () => out, exited };
}

/** `kassa worker` as its own process; stop it by its pid. */
export function spawnWorker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker'], {
    cwd: SERVER_ROOT,
    env: { ...process.env, KASSA_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited } = capture(child);
  return {
    child,
    output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Builds dist/kassa.mjs from the current sources (esbuild: about a second). */
export function buildBundle() {
  const r = spawnSync(process.execPath, ['build.mjs'], { cwd: SERVER_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the server build failed:\n${r.stdout}${r.stderr}`);
}

/**
 * Starts `kassa start` as its own process on a free port, waits for /healthz, and
 * reads the demo keys from what it prints (none with `KASSA_DEMO: '0'`). Stop it with
 * `stop()` (by its pid). What the test fetches from it is checked against the OpenAPI
 * documents (`checkAnswersOf`).
 */
export async function spawnGateway(
  env: Record<string, string>,
  opts: { bundle?: boolean; args?: string[] } = {},
): Promise<SpawnedGateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Every answer the test fetches from it is checked against the OpenAPI documents.
  checkAnswersOf(url);
  // The sources through tsx, or the built bundle on plain node as `npm start` runs it.
  const main = opts.bundle ? ['dist/kassa.mjs'] : ['--import', 'tsx', 'src/cli/main.ts'];
  const child = spawn(process.execPath, [...main, 'start', ...(opts.args ?? [])], {
    cwd: SERVER_ROOT,
    env: {
      ...process.env,
      KASSA_PORT: String(port),
      KASSA_PUBLIC_URL: url,
      // The demo merchant (whose keys it prints), and receivers on loopback.
      KASSA_DEMO: '1',
      KASSA_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited } = capture(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited early:\n${output()}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    const demo = (env.KASSA_DEMO ?? '1') !== '0';
    if (ok && (demo ? /secret key:\s+sk_/ : /Kassa gateway listening/).test(output())) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not become healthy:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const key = (label: string) => new RegExp(`${label}:\\s+(\\S+)`).exec(output())?.[1] as string;
  return {
    url,
    child,
    output,
    secretKey: key('secret key'),
    publishableKey: key('publishable key'),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      await exited;
    },
  };
}
