import { insertSql, row, sql, update } from '../executor.ts';
import type { DashboardUserRow } from '../rows.ts';
import { repository } from './repository.ts';

export interface DashboardUserReads {
  get(id: string): Promise<DashboardUserRow | null>;
  byEmail(email: string): Promise<DashboardUserRow | null>;
}

export interface DashboardUserWrites {
  /** Adds a user; false if the email already has an account. */
  insert(row: DashboardUserRow): Promise<boolean>;
  /** Replaces a password (and clears `mustChangePassword`) only if the hash is still
   * `fromHash`: of two changes at once, one wins. */
  changePassword(id: string, fromHash: string, toHash: string): Promise<boolean>;
}

export const dashboardUsersRepository = repository<DashboardUserReads, DashboardUserWrites>(
  (ex, d) => {
    const c = d.codecs.users;
    return {
      read: {
        get: (id) => row(ex, c, sql`SELECT * FROM dashboard_users WHERE id = ${id}`),
        byEmail: (email) => row(ex, c, sql`SELECT * FROM dashboard_users WHERE email = ${email}`),
      },
      write: {
        insert: async (r) =>
          (await ex.run(...insertSql(c, r, { ignoreConflict: true }).args)) === 1,
        changePassword: async (id, fromHash, toHash) =>
          (await update(
            ex,
            c,
            { passwordHash: toHash, mustChangePassword: false },
            { id, passwordHash: fromHash },
          )) === 1,
      },
    };
  },
);
