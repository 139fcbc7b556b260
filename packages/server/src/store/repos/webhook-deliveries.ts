import type { EventType } from '@kassa/protocol';
import { insertSql, row, rows, sendUpdate, sql, update } from '../executor.ts';
import type {
  DeliveryStatus,
  PageWindow,
  Patch,
  WebhookAttemptRow,
  WebhookDeliveryRow,
} from '../rows.ts';
import { keyset } from './paging.ts';
import { repository } from './repository.ts';

export interface WebhookDeliveryReads {
  get(id: string): Promise<WebhookDeliveryRow | null>;
  /** An endpoint's deliveries, each with its event's type, newest first. */
  list(
    filter: {
      endpointId: string;
      status?: DeliveryStatus;
      createdGte?: number;
      createdLte?: number;
    } & PageWindow,
  ): Promise<(WebhookDeliveryRow & { eventType: EventType })[]>;
  /** The deliveries of these events (to every endpoint), oldest first. */
  ofEvents(eventIds: string[]): Promise<WebhookDeliveryRow[]>;
  /** Every attempt of these deliveries, in the order they were made. */
  attempts(deliveryIds: string[]): Promise<WebhookAttemptRow[]>;
}

export interface WebhookDeliveryWrites {
  insert(row: WebhookDeliveryRow): Promise<void>;
  /** Writes `patch`; with `from`, only if the delivery is still in that status (two
   * retries of one dead delivery at once: one of them queues it). False if nothing changed. */
  update(
    id: string,
    patch: Patch<WebhookDeliveryRow>,
    from?: WebhookDeliveryRow['status'],
  ): Promise<boolean>;
  /** Writes `patch` whatever the delivery's status, sent with the transaction's next
   * statement (no round trip of its own on PostgreSQL). */
  set(id: string, patch: Patch<WebhookDeliveryRow>): Promise<void>;
  insertAttempt(row: WebhookAttemptRow): Promise<void>;
}

export const webhookDeliveriesRepository = repository<WebhookDeliveryReads, WebhookDeliveryWrites>(
  (ex, d) => {
    const c = d.codecs.deliveries;
    return {
      read: {
        get: (id) => row(ex, c, sql`SELECT * FROM webhook_deliveries WHERE id = ${id}`),
        list: async (f) => {
          const k = keyset('d.created_at', 'd.id', f);
          const raw = await ex.all(
            ...sql`SELECT d.*, e.type AS event_type FROM webhook_deliveries d
              JOIN events e ON e.id = d.event_id
              WHERE ${sql.and([
                sql`d.endpoint_id = ${f.endpointId}`,
                f.status && sql`d.status = ${f.status}`,
                f.createdGte !== undefined && sql`d.created_at >= ${f.createdGte}`,
                f.createdLte !== undefined && sql`d.created_at <= ${f.createdLte}`,
                k.where,
              ])} ORDER BY ${k.order} LIMIT ${f.limit}`.args,
          );
          return k.flip(raw.map((r) => ({ ...c.decode(r), eventType: r.event_type as EventType })));
        },
        ofEvents: (eventIds) =>
          eventIds.length === 0
            ? Promise.resolve([])
            : rows(
                ex,
                c,
                sql`SELECT * FROM webhook_deliveries WHERE ${d.inList('event_id', eventIds)}
                  ORDER BY created_at, id`,
              ),
        attempts: async (deliveryIds) =>
          deliveryIds.length === 0
            ? []
            : (
                await rows(
                  ex,
                  d.codecs.webhookAttempts,
                  sql`SELECT * FROM webhook_attempts WHERE ${d.inList('delivery_id', deliveryIds)}
                    ORDER BY id`,
                )
              ).map(({ id: _id, ...r }) => r),
      },
      write: {
        insert: async (r) => {
          const q = insertSql(c, r);
          ex.send(q.text, q.params);
        },
        update: async (id, patch, from) =>
          (await update(ex, c, patch, from ? { id, status: from } : { id })) === 1,
        set: async (id, patch) => sendUpdate(ex, c, patch, { id }),
        insertAttempt: async (r) => {
          // The database numbers it (id).
          const q = insertSql(d.codecs.webhookAttempts, r as WebhookAttemptRow & { id: number });
          ex.send(q.text, q.params);
        },
      },
    };
  },
);
