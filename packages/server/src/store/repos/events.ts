import { insertSql, row, rows, sql } from '../executor.ts';
import type { EventListFilter, EventRow, OwnerFilter } from '../rows.ts';
import { repository } from './repository.ts';

type Sequenced = EventRow & { seq: number };

export interface EventReads {
  get(id: string, owner?: OwnerFilter): Promise<Sequenced | null>;
  /** A page by commit order, newest first. */
  list(filter: EventListFilter): Promise<Sequenced[]>;
  /** An object's events, oldest first. */
  ofObject(objectId: string): Promise<EventRow[]>;
}

export interface EventWrites {
  insert(row: EventRow): Promise<void>;
}

export const eventsRepository = repository<EventReads, EventWrites>((ex, d) => {
  const c = d.codecs.events;
  return {
    read: {
      get: (id, owner) =>
        row(
          ex,
          c,
          owner
            ? sql`SELECT * FROM events WHERE id = ${id}
                AND merchant_id = ${owner.merchantId} AND livemode = ${owner.livemode}`
            : sql`SELECT * FROM events WHERE id = ${id}`,
        ),
      list: async (f) => {
        const pattern = f.typePattern && f.typePattern !== '*' ? f.typePattern : undefined;
        const older = f.before === undefined;
        const found = await rows(
          ex,
          c,
          sql`SELECT * FROM events WHERE ${sql.and([
            sql`merchant_id = ${f.merchantId} AND livemode = ${f.livemode}`,
            pattern &&
              (pattern.endsWith('.*')
                ? sql`type LIKE ${`${pattern.slice(0, -1)}%`}`
                : sql`type = ${pattern}`),
            f.objectId && sql`object_id = ${f.objectId}`,
            f.createdGte !== undefined && sql`created_at >= ${f.createdGte}`,
            f.createdLte !== undefined && sql`created_at <= ${f.createdLte}`,
            f.after !== undefined && sql`seq < ${f.after}`,
            f.before !== undefined && sql`seq > ${f.before}`,
          ])} ORDER BY seq ${sql.raw(older ? 'DESC' : 'ASC')} LIMIT ${f.limit}`,
        );
        return older ? found : found.reverse();
      },
      ofObject: async (objectId) =>
        (
          await rows(ex, c, sql`SELECT * FROM events WHERE object_id = ${objectId} ORDER BY seq`)
        ).map(({ seq: _seq, ...r }) => r),
    },
    write: {
      insert: async (r) => {
        // The database numbers it (seq).
        const q = insertSql(c, r as Sequenced);
        ex.send(q.text, q.params);
      },
    },
  };
});
