// The browser specs a second time, with the gateway on PostgreSQL (a fresh schema), when
// a server answers; loudly skipped when none does, and a failure under
// KASSA_REQUIRE_POSTGRES=1 (CI).
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';

const url = process.env.KASSA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const { hostname, port } = new URL(url);
const up = await new Promise((resolve) => {
  const s = connect({ host: hostname || '127.0.0.1', port: Number(port || 5432), timeout: 1000 });
  const done = (ok) => {
    s.destroy();
    resolve(ok);
  };
  s.once('connect', () => done(true));
  s.once('error', () => done(false));
  s.once('timeout', () => done(false));
});
if (!up) {
  const line = '!'.repeat(78);
  process.stderr.write(
    `\n${line}\n!!! PostgreSQL at ${hostname}:${port || 5432} is unreachable: the browser specs on PostgreSQL are SKIPPED.\n${line}\n\n`,
  );
  process.exit(process.env.KASSA_REQUIRE_POSTGRES === '1' ? 1 : 0);
}
process.stdout.write('\n== the browser specs again, the gateway on PostgreSQL\n');
const r = spawnSync('npx', ['playwright', 'test'], {
  stdio: 'inherit',
  env: { ...process.env, KASSA_E2E_DATABASE_URL: url },
});
process.exit(r.status ?? 1);
