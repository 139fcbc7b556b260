import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peakRssMb, treePids } from './cpu.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** The gateway as `npm start` runs it: the built bundle, on plain node (setup builds it). */
const serverMain = join(
  dirname(fileURLToPath(import.meta.resolve('@kassa/server'))),
  '../dist/kassa.mjs',
);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Proc {
  url: string;
  pid: number;
  output: () => string;
  /** Peak resident memory (VmHWM) in MB. */
  peakRssMb: () => number;
  stop(): Promise<void>;
}

async function start(
  args: string[],
  env: Record<string, string>,
  ready: (out: string) => boolean,
  url: string,
  preload: string[] = [],
): Promise<Proc> {
  if (!existsSync(args[0] as string)) throw new Error(`${args[0]} is missing: run pnpm build`);
  // TypeScript files go through the tsx loader; the built gateway runs on node alone.
  const loader = (args[0] as string).endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child: ChildProcess = spawn(process.execPath, [...loader, ...preload, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    if (out.length < 20_000) out += d; // the banner; request logs are dropped
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 60_000;
  while (!ready(out)) {
    if (child.exitCode !== null) throw new Error(`process exited early:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`process did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid as number;
  return {
    url,
    pid,
    output: () => out,
    peakRssMb: () => peakRssMb(pid),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Gateway extends Proc {
  secretKey: string;
  publishableKey: string;
  /** What the database drivers were asked since the last call (see counters.mjs); only
   * for a gateway started `counted`. */
  counts(): Promise<DriverCounts>;
}

export interface DriverCounts {
  statements: number;
  prepares: number;
  pg_queries: number;
  pg_round_trips: number;
}

const counters = join(here, 'counters.mjs');
const serverPackage = fileURLToPath(import.meta.resolve('@kassa/server'));

/**
 * `kassa start` on its own port and database, as a user would run it. `counted` preloads
 * the drivers' counters (counters.mjs), which cost CPU of their own: only for counting
 * statements and round trips, never for timings.
 */
export async function startGateway(
  env: Record<string, string>,
  args: string[] = [],
  o: { counted?: boolean } = {},
): Promise<Gateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const countsFile = join(tmpdir(), `kassa-bench-counts-${port}`);
  const proc = await start(
    [serverMain, 'start', ...args],
    {
      KASSA_PORT: String(port),
      KASSA_PUBLIC_URL: url,
      KASSA_LOG_LEVEL: 'info',
      // The card-testing limit would answer the benchmark's confirms with 429.
      KASSA_CONFIRMS_PER_MINUTE: '100000000',
      // The demo merchant, and webhook receivers on loopback.
      KASSA_DEMO: '1',
      KASSA_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost',
      KASSA_BENCH_COUNTS: countsFile,
      KASSA_BENCH_RESOLVE_FROM: serverPackage,
      ...env,
    },
    (out) => /secret key:\s+sk_\S+/.test(out),
    url,
    o.counted ? ['--import', counters] : [],
  );
  const key = (label: string) =>
    new RegExp(`${label}:\\s+(\\S+)`).exec(proc.output())?.[1] as string;
  const dumps = () =>
    readdirSync(tmpdir()).filter((f) => f.startsWith(`kassa-bench-counts-${port}.`));
  return {
    ...proc,
    secretKey: key('secret key'),
    publishableKey: key('publishable key'),
    async counts() {
      if (!o.counted) throw new Error('counts(): this gateway was started without counters');
      for (const f of dumps()) rmSync(join(tmpdir(), f));
      const pids = treePids(proc.pid);
      for (const pid of pids) process.kill(pid, 'SIGUSR2');
      const deadline = Date.now() + 5000;
      while (dumps().length < pids.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      const sum: DriverCounts = { statements: 0, prepares: 0, pg_queries: 0, pg_round_trips: 0 };
      for (const f of dumps()) {
        const c = JSON.parse(readFileSync(join(tmpdir(), f), 'utf8')) as DriverCounts;
        for (const k of Object.keys(sum) as (keyof DriverCounts)[]) sum[k] += c[k];
        rmSync(join(tmpdir(), f));
      }
      return sum;
    },
  };
}

/** `kassa worker` alone, ready once it says so. */
export async function startWorker(env: Record<string, string>): Promise<Proc> {
  return start(
    [serverMain, 'worker'],
    { KASSA_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost', ...env },
    (out) => out.includes('Kassa worker running'),
    '',
  );
}

/** The minimal create on the same stack (ideal-server.mjs): SQLite by default, PostgreSQL
 * with IDEAL_DATABASE_URL. */
export async function startIdeal(env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  return start(
    [join(here, 'ideal-server.mjs')],
    { PORT: String(port), ...env },
    (out) => out.includes('listening'),
    `http://127.0.0.1:${port}`,
  );
}

/** A bare @hono/node-server "hello": the ceiling for this machine, measured in the same run. */
export async function startBaseline(): Promise<Proc> {
  const port = await freePort();
  return start(
    [join(here, 'baseline-server.ts')],
    { PORT: String(port) },
    (out) => out.includes('listening'),
    `http://127.0.0.1:${port}`,
  );
}
