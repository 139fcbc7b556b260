// Preloaded into a gateway the bench starts (node --import): counts what the database
// drivers are asked to do, so the bench can report statements and round trips per API
// call whatever the store's code looks like. better-sqlite3: statements run (transaction
// control apart) and statements prepared. pg: queries, and round trips — a query sent
// while none of its connection's is outstanding starts one; queries sent meanwhile
// (pipelined) ride on it. SIGUSR2 writes the counts to KASSA_BENCH_COUNTS.<pid> and zeroes them.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const counts = { statements: 0, prepares: 0, pg_queries: 0, pg_round_trips: 0 };
const require = createRequire(process.env.KASSA_BENCH_RESOLVE_FROM);
const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b/i;

try {
  const Database = require('better-sqlite3');
  const proto = Database.prototype;
  const prepare = proto.prepare;
  // The gateway's store only: the test processors' books (the sandbox's ledger, a SQLite
  // file of its own) stand for an outside processor's database, not Kassa's.
  const store = (process.env.KASSA_DATABASE_URL ?? '').replace(/^file:/, '');
  const ours = (db) => store === '' || resolve(db.name) === resolve(store);
  proto.prepare = function (source, ...rest) {
    const stmt = prepare.call(this, source, ...rest);
    if (!ours(this)) return stmt;
    counts.prepares++;
    if (!CONTROL.test(source)) {
      for (const m of ['run', 'get', 'all', 'iterate']) {
        const f = stmt[m];
        stmt[m] = function (...args) {
          counts.statements++;
          return f.apply(this, args);
        };
      }
    }
    return stmt;
  };
} catch {}

try {
  const pg = require('pg');
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, values, callback) {
    counts.pg_queries++;
    this.__kassaOutstanding ??= 0;
    if (this.__kassaOutstanding === 0) counts.pg_round_trips++;
    this.__kassaOutstanding++;
    const done = () => {
      this.__kassaOutstanding--;
    };
    if (typeof values === 'function' || typeof callback === 'function') {
      const cb = typeof values === 'function' ? values : callback;
      const wrapped = (...a) => {
        done();
        return cb(...a);
      };
      return typeof values === 'function'
        ? query.call(this, config, wrapped)
        : query.call(this, config, values, wrapped);
    }
    const result = query.call(this, config, values, callback);
    if (result && typeof result.then === 'function') result.then(done, done);
    else if (result && typeof result.on === 'function') {
      result.on('end', done);
      result.on('error', done);
    } else done();
    return result;
  };
} catch {}

process.on('SIGUSR2', () => {
  writeFileSync(`${process.env.KASSA_BENCH_COUNTS}.${process.pid}`, JSON.stringify(counts));
  for (const k of Object.keys(counts)) counts[k] = 0;
});
