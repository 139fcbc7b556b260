import { codecsFor, type Dialect, type JobClaims } from '../dialect.ts';
import type { Executor } from '../executor.ts';
import { STAT_TABLES } from '../repos/overview.ts';
import { groupOf, type JobRow } from '../rows.ts';
import { Sql, sql } from '../sql.ts';

/** Endpoints one job claim visits at most; the next claim carries on from the last. */
const MAX_CLAIM_KEYS = 256;
/** A fixed advisory-lock id: keyed job claims run one at a time (see claims). */
const KEYED_CLAIM_LOCK = 727_002;
/** How often one connection's claims look for jobs whose worker died (their lock ran
 * out long before this matters). */
const ORPHAN_CHECK_MS = 1_000;

const codecs = codecsFor({ bool: (v) => v === true, json: (v) => v });

/** The keys with queued jobs from `from` on, in order (a loose index scan), up to `upTo`. */
const scan = (from: string, upTo: string | null) => sql`(WITH RECURSIVE keys AS (
    (SELECT concurrency_key AS k FROM jobs WHERE status = 'queued' AND concurrency_key > ${from}
       ORDER BY concurrency_key LIMIT 1)
    UNION ALL
    SELECT (SELECT concurrency_key FROM jobs WHERE status = 'queued' AND concurrency_key > keys.k
              ORDER BY concurrency_key LIMIT 1) FROM keys WHERE keys.k IS NOT NULL)
  SELECT k FROM keys WHERE k IS NOT NULL${upTo === null ? sql.raw('') : sql` AND k <= ${upTo}`} LIMIT ${MAX_CLAIM_KEYS})`;

/**
 * Job claims for several workers on one database: rows are taken with `FOR UPDATE SKIP
 * LOCKED`, so two claims never take the same job; keyed claims take turns under a
 * transaction-scoped advisory lock, so the running counts they bound themselves by cannot
 * be read by two claims at once: the bounds hold over every worker.
 */
function claims(ex: Executor): JobClaims {
  const c = codecs.jobs;
  let cursor = '';
  let orphansCheckedAt = 0;
  const claimed = async (q: Sql) => (await ex.all(q.text, q.params)).map((r) => c.decode(r));
  const set = (lockUntil: number, now: number) =>
    sql`status = 'running', locked_until = ${lockUntil}, updated_at = ${now}`;
  return {
    async claim(now, limit, lockUntil, bounds) {
      // Unkeyed jobs need no bound: each worker skips the rows another is claiming.
      const out: JobRow[] = await claimed(sql`UPDATE jobs SET ${set(lockUntil, now)} WHERE id IN (
          SELECT id FROM jobs WHERE status = 'queued' AND concurrency_key IS NULL AND run_at <= ${now}
          ORDER BY run_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
        RETURNING *`);
      const keyedRoom = Math.min(limit - out.length, bounds.keyedRoom ?? Infinity);
      if (keyedRoom > 0) {
        // The lock, held to the commit, then the keys with queued jobs from the cursor on
        // (wrapping round once) and what runs now for each key and its group: one round trip.
        ex.send(`SELECT pg_advisory_xact_lock(${KEYED_CLAIM_LOCK})`);
        const wrap = cursor === '' ? sql`(SELECT NULL::text AS k WHERE false)` : scan('', cursor);
        const rows = (await ex.all(
          ...sql`WITH found AS (SELECT k, 0 AS pass FROM ${scan(cursor, null)} s
                 UNION ALL SELECT k, 1 FROM ${wrap} w),
              picked AS (SELECT DISTINCT ON (k) k, pass FROM found ORDER BY k, pass)
            SELECT p.k, p.pass,
              (SELECT count(*)::int FROM jobs j WHERE j.status = 'running' AND j.concurrency_key = p.k
                 AND j.locked_until > ${now}) AS key_running,
              (SELECT count(*)::int FROM jobs j WHERE j.status = 'running'
                 AND split_part(j.concurrency_key, '/', 1) = split_part(p.k, '/', 1)
                 AND j.locked_until > ${now}) AS group_running
            FROM picked p ORDER BY p.pass, p.k LIMIT ${MAX_CLAIM_KEYS}`.args,
        )) as { k: string; key_running: number; group_running: number }[];
        if (rows.length > 0) {
          cursor = (rows[rows.length - 1] as { k: string }).k;
          const perGroup = new Map<string, number>();
          for (const r of rows) perGroup.set(groupOf(r.k), r.group_running);
          const wanted: string[] = [];
          const rooms: number[] = [];
          let left = keyedRoom;
          for (const r of rows) {
            if (left <= 0) break;
            const g = groupOf(r.k);
            const room = Math.min(
              bounds.perKey - r.key_running,
              (bounds.perGroup ?? Infinity) - (perGroup.get(g) ?? 0),
              left,
            );
            if (room <= 0) continue;
            wanted.push(r.k);
            rooms.push(room);
            left -= room;
            perGroup.set(g, (perGroup.get(g) ?? 0) + room);
          }
          if (wanted.length > 0) {
            out.push(
              ...(await claimed(sql`UPDATE jobs SET ${set(lockUntil, now)} WHERE id IN (
                  SELECT j.id FROM unnest(${wanted}::text[], ${rooms}::int[]) AS r(k, room)
                  CROSS JOIN LATERAL (
                    SELECT id FROM jobs
                     WHERE status = 'queued' AND concurrency_key = r.k AND run_at <= ${now}
                     ORDER BY run_at LIMIT r.room FOR UPDATE SKIP LOCKED) j)
                RETURNING *`)),
            );
          }
        }
      }
      // Jobs of a worker that died: their lock ran out while they were running.
      if (out.length < limit && now - orphansCheckedAt >= ORPHAN_CHECK_MS) {
        orphansCheckedAt = now;
        out.push(
          ...(await claimed(sql`UPDATE jobs SET ${set(lockUntil, now)} WHERE id IN (
              SELECT id FROM jobs WHERE status = 'running' AND locked_until <= ${now}
              LIMIT ${limit - out.length} FOR UPDATE SKIP LOCKED)
            RETURNING *`)),
        );
      }
      return out.sort((a, b) => a.runAt - b.runAt);
    },
  };
}

/** SKIP LOCKED: two folds at once take different changes; each change is folded once, in
 * the transaction that deletes it. Rows upserted in key order. */
async function foldStats(ex: Executor, limit: number): Promise<number> {
  let most = 0;
  for (const [changes, hourly, keys, sums] of STAT_TABLES) {
    const keyCols = keys.join(', ');
    const [r] = await ex.all(
      `WITH moved AS (
          DELETE FROM ${changes} WHERE id IN (
            SELECT id FROM ${changes} ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
          RETURNING *
        ), folded AS (
          INSERT INTO ${hourly} AS h (${[...keys, ...sums].join(', ')})
          SELECT ${keyCols}, ${sums.map((s) => `sum(${s})`).join(', ')}
          FROM moved GROUP BY ${keyCols} ORDER BY ${keyCols}
          ON CONFLICT (${keyCols}) DO UPDATE SET ${sums.map((s) => `${s} = h.${s} + excluded.${s}`).join(', ')}
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM moved) AS n`,
      [limit],
    );
    most = Math.max(most, Number(r?.n ?? 0));
  }
  return most;
}

export const pgDialect: Dialect = {
  name: 'postgres',
  codecs,
  inList: (column, values) => new Sql(`${column} = ANY(?)`, [values]),
  greatest: 'greatest',
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  claims,
  foldStats,
};
