import { insertSql, row, sql } from '../executor.ts';
import type { DashboardSessionRow } from '../rows.ts';
import { repository } from './repository.ts';

export interface DashboardSessionReads {
  get(id: string): Promise<DashboardSessionRow | null>;
}

export interface DashboardSessionWrites {
  insert(row: DashboardSessionRow): Promise<void>;
  /** Marks a session used at `now` if it is still alive: used since `idleSince` and not
   * past its absolute end; false (and nothing written) otherwise. */
  touch(id: string, now: number, idleSince: number): Promise<boolean>;
  /** Ends one session, every session of a user (sign out everywhere), or every session
   * already over (past its end at `now`, or unused since `idleSince`); how many. */
  delete(
    which: { id: string } | { userId: string } | { now: number; idleSince: number },
  ): Promise<number>;
}

export const dashboardSessionsRepository = repository<
  DashboardSessionReads,
  DashboardSessionWrites
>((ex, d) => {
  const c = d.codecs.sessions;
  return {
    read: {
      get: (id) => row(ex, c, sql`SELECT * FROM dashboard_sessions WHERE id = ${id}`),
    },
    write: {
      insert: async (r) => {
        await ex.run(...insertSql(c, r).args);
      },
      touch: async (id, now, idleSince) =>
        (await ex.run(
          ...sql`UPDATE dashboard_sessions SET last_seen_at = ${now}
            WHERE id = ${id} AND last_seen_at >= ${idleSince} AND expires_at > ${now}`.args,
        )) === 1,
      delete: (which) =>
        ex.run(
          ...('id' in which
            ? sql`DELETE FROM dashboard_sessions WHERE id = ${which.id}`
            : 'userId' in which
              ? sql`DELETE FROM dashboard_sessions WHERE user_id = ${which.userId}`
              : sql`DELETE FROM dashboard_sessions
                  WHERE expires_at <= ${which.now} OR last_seen_at < ${which.idleSince}`
          ).args,
        ),
    },
  };
});
