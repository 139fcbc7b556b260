import { codecsFor, type Dialect, type JobClaims } from '../dialect.ts';
import type { Executor } from '../executor.ts';
import { STAT_TABLES } from '../repos/overview.ts';
import { groupOf, type JobRow } from '../rows.ts';
import { Sql, sql } from '../sql.ts';

/** Endpoints one job claim visits at most; the next claim carries on from the last. */
export const MAX_CLAIM_KEYS = 256;

/**
 * The job claims on SQLite's one writer: each concurrency key (endpoint) with room is
 * asked for its oldest due jobs by a seek on (status, key, run_at), so a claim costs a
 * few index lookups per endpoint whatever the backlog, and a slow endpoint's backlog
 * never hides the others'. Endpoints are visited round-robin from where the last claim
 * stopped. What runs now, every worker's, is counted in the claim's transaction, which
 * the single writer makes the only claim at this moment. Literal statuses, so that SQLite
 * uses the status-led indexes.
 */
function claims(ex: Executor): JobClaims {
  const c = codecs.jobs;
  let cursor: string | null = null;
  const ids = async (q: Sql) =>
    (await ex.all(q.text, q.params)) as { id: string; run_at: number }[];
  const count = async (q: Sql) => Number((await ex.all(q.text, q.params))[0]?.n ?? 0);
  const take = async (id: string, now: number, lockUntil: number) =>
    c.decode(
      (
        await ex.all(
          ...sql`UPDATE jobs SET status = 'running', locked_until = ${lockUntil}, updated_at = ${now}
            WHERE id = ${id} RETURNING *`.args,
        )
      )[0] as Record<string, unknown>,
    );
  const dueForKey = (key: string, now: number, limit: number) =>
    ids(sql`SELECT id, run_at FROM jobs WHERE status = 'queued' AND concurrency_key = ${key}
      AND run_at <= ${now} ORDER BY run_at LIMIT ${limit}`);
  return {
    async claim(now, limit, lockUntil, bounds) {
      const found = (
        await ids(sql`SELECT id, run_at FROM jobs WHERE status = 'queued'
          AND concurrency_key IS NULL AND run_at <= ${now} ORDER BY run_at LIMIT ${limit}`)
      ).map((j) => ({ id: j.id, runAt: j.run_at }));
      let key: string | null = cursor;
      let wrapped = false;
      const groups: Record<string, number> = {};
      const groupRunning = async (g: string) =>
        (groups[g] ??= await count(sql`SELECT count(*) AS n FROM jobs WHERE status = 'running'
          AND concurrency_key >= ${`${g}/`} AND concurrency_key < ${`${g}0`}
          AND locked_until > ${now}`));
      let keyed = 0;
      for (let visited = 0; visited < MAX_CLAIM_KEYS; ) {
        const next = (
          await ex.all(
            ...sql`SELECT concurrency_key AS key FROM jobs WHERE status = 'queued'
              AND concurrency_key > ${key ?? ''} ORDER BY concurrency_key LIMIT 1`.args,
          )
        )[0]?.key as string | null | undefined;
        if (next === undefined || next === null) {
          // The end of the keys: go round once from the first, up to where we began.
          if (wrapped || cursor === null) break;
          wrapped = true;
          key = null;
          continue;
        }
        if (wrapped && cursor !== null && next > cursor) break;
        key = next;
        visited++;
        // Keys are `group/key`: '/' + 1 is '0', so a group's keys sort in [group/, group0).
        const group = groupOf(next);
        const running = await count(sql`SELECT count(*) AS n FROM jobs WHERE status = 'running'
          AND concurrency_key = ${next} AND locked_until > ${now}`);
        const room = Math.min(
          bounds.perKey - running,
          bounds.perGroup === undefined ? Infinity : bounds.perGroup - (await groupRunning(group)),
          (bounds.keyedRoom ?? Infinity) - keyed,
          limit,
        );
        if (room <= 0) continue;
        for (const job of await dueForKey(next, now, room)) {
          found.push({ id: job.id, runAt: job.run_at });
          groups[group] = (await groupRunning(group)) + 1;
          keyed++;
        }
      }
      cursor = key;
      found.sort((a, b) => a.runAt - b.runAt);
      const chosen = found.slice(0, limit).map((j) => j.id);
      // Jobs of a worker that died: their lock ran out while they were running.
      if (chosen.length < limit) {
        for (const job of await ids(sql`SELECT id FROM jobs WHERE status = 'running'
          AND locked_until <= ${now} LIMIT ${limit - chosen.length}`)) {
          chosen.push(job.id);
        }
      }
      const out: JobRow[] = [];
      for (const id of chosen) out.push(await take(id, now, lockUntil));
      return out;
    },
  };
}

/** Folds each rollup's oldest changes into its hourly rows, and deletes them, in the
 * transaction that calls it (SQLite has one writer: no other fold runs meanwhile). */
async function foldStats(ex: Executor, limit: number): Promise<number> {
  let most = 0;
  for (const [changes, hourly, keys, sums] of STAT_TABLES) {
    const [top] = await ex.all(
      `SELECT max(id) AS id, count(*) AS n FROM (SELECT id FROM ${changes} ORDER BY id LIMIT ?)`,
      [limit],
    );
    if (!top || top.id === null) continue;
    const keyCols = keys.join(', ');
    // WHERE before ON CONFLICT: SQLite's parser needs it to tell the upsert apart.
    await ex.run(
      `INSERT INTO ${hourly} (${[...keys, ...sums].join(', ')})
        SELECT ${keyCols}, ${sums.map((s) => `sum(${s})`).join(', ')}
        FROM ${changes} WHERE id <= ? GROUP BY ${keyCols} ORDER BY ${keyCols}
        ON CONFLICT (${keyCols}) DO UPDATE SET ${sums.map((s) => `${s} = ${s} + excluded.${s}`).join(', ')}`,
      [top.id],
    );
    await ex.run(`DELETE FROM ${changes} WHERE id <= ?`, [top.id]);
    most = Math.max(most, Number(top.n));
  }
  return most;
}

const codecs = codecsFor({
  bool: (v) => v === 1 || v === true,
  json: (v) => (typeof v === 'string' ? JSON.parse(v) : v),
});

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  codecs,
  inList: (column, values) => new Sql(`${column} IN (${values.map(() => '?').join(', ')})`, values),
  greatest: 'max',
  skipLocked: '',
  claims,
  foldStats,
};
