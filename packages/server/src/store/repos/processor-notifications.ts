import { insertSql } from '../executor.ts';
import type { ProcessorNotificationRow } from '../rows.ts';
import { repository } from './repository.ts';

export type ProcessorNotificationReads = Record<never, never>;

export interface ProcessorNotificationWrites {
  /** Stores an inbound notification; false if this one was seen before. */
  record(row: ProcessorNotificationRow): Promise<boolean>;
}

export const processorNotificationsRepository = repository<
  ProcessorNotificationReads,
  ProcessorNotificationWrites
>((ex, d) => ({
  read: {},
  write: {
    record: async (r) =>
      (await ex.run(...insertSql(d.codecs.notifications, r, { ignoreConflict: true }).args)) === 1,
  },
}));
