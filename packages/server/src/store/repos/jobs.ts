import { type AfterCommit, afterCommit, insertSql, sendUpdate, sql } from '../executor.ts';
import type { ClaimBounds, JobRow, Patch } from '../rows.ts';
import { repository } from './repository.ts';

export interface JobStat {
  kind: string;
  status: string;
  retrying: number;
  count: number;
  oldest: number;
}

export interface JobReads {
  /** Jobs by kind and status (with how many are retrying and the oldest run_at), for one
   * merchant, or for every job (null: an operator's view, system jobs included). */
  stats(merchantId: string | null): Promise<JobStat[]>;
}

export interface JobWrites {
  enqueue(row: JobRow): Promise<void>;
  /**
   * Marks up to `limit` due jobs running until `lockUntil` and returns them, oldest
   * first. Keyed jobs are bounded by `bounds`, counted over the jobs running in the
   * database (every worker's), so two workers claiming at once cannot exceed them.
   * Jobs whose lock ran out (their worker died) are taken over.
   */
  claim(now: number, limit: number, lockUntil: number, bounds: ClaimBounds): Promise<JobRow[]>;
  /**
   * Hands a slot on: marks the oldest due job of `key` running until `lockUntil`, and
   * says which once the transaction has committed (null when none was due). Only for a
   * worker that ends a running job of the same key in the same transaction, so the
   * running counts `claim` bounds do not change: an endpoint's deliveries follow one
   * another without a claim's scan. On PostgreSQL it goes with the commit: ending a job
   * and taking the next is one round trip.
   */
  claimNextForKey(key: string, now: number, lockUntil: number): AfterCommit<JobRow | null>;
  /** Removes a finished job. */
  delete(id: string): Promise<void>;
  update(id: string, patch: Patch<JobRow>): Promise<void>;
}

/** The durable job queue, in the same database as the data its jobs are about. */
export const jobsRepository = repository<JobReads, JobWrites>((ex, d) => {
  const c = d.codecs.jobs;
  const claims = d.claims(ex);
  return {
    read: {
      stats: async (merchantId) =>
        (
          await ex.all(
            ...sql`SELECT kind, status, sum(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS retrying,
                count(*) AS count, min(run_at) AS oldest
              FROM jobs WHERE ${merchantId === null ? sql`1 = 1` : sql`merchant_id = ${merchantId}`}
              GROUP BY kind, status`.args,
          )
        ).map((r) => ({
          kind: String(r.kind),
          status: String(r.status),
          retrying: Number(r.retrying),
          count: Number(r.count),
          oldest: Number(r.oldest),
        })),
    },
    write: {
      enqueue: async (r) => {
        const q = insertSql(c, r);
        ex.send(q.text, q.params);
        ex.commit.jobsQueued();
      },
      claim: (now, limit, lockUntil, bounds) => claims.claim(now, limit, lockUntil, bounds),
      claimNextForKey: (key, now, lockUntil) => {
        // Literal statuses: SQLite picks the status-led index for them.
        const q = sql`UPDATE jobs SET status = 'running', locked_until = ${lockUntil}, updated_at = ${now}
          WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND concurrency_key = ${key}
            AND run_at <= ${now} ORDER BY run_at LIMIT 1${sql.raw(d.skipLocked)})
          RETURNING *`;
        const { value } = ex.later(q.text, q.params);
        return afterCommit(value.then(([r]) => (r ? c.decode(r) : null)));
      },
      delete: async (id) => {
        ex.send(...sql`DELETE FROM jobs WHERE id = ${id}`.args);
      },
      update: async (id, patch) => sendUpdate(ex, c, patch, { id }),
    },
  };
});
