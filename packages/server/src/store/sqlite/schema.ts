// SQLite's drizzle tables, for drizzle-kit's migrations: built from the one description
// in ../schema/tables.ts; only the types a kind maps to are SQLite's own.
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { buildSchema, type DialectKit } from '../schema/build.ts';

const kit: DialectKit = {
  column(kind, name) {
    switch (kind) {
      case 'text':
        return text(name);
      case 'int':
      case 'int32':
        return integer(name);
      case 'bool':
        return integer(name, { mode: 'boolean' });
      case 'json':
        return text(name, { mode: 'json' });
      case 'serial':
        return integer(name).primaryKey({ autoIncrement: true });
      case 'rowid':
        return integer(name).primaryKey();
    }
  },
  table: (name, columns, extra) => sqliteTable(name, columns as never, extra as never),
  index: (name) => index(name) as never,
  uniqueIndex: (name) => uniqueIndex(name) as never,
  primaryKey: (config) => primaryKey(config as never),
};

// Named one by one: drizzle-kit finds tables among a schema file's exports.
export const {
  settings,
  merchants,
  apiKeys,
  paymentIntents,
  paymentAttempts,
  events,
  idempotencyKeys,
  jobs,
  webhookEndpoints,
  webhookDeliveries,
  webhookAttempts,
  processorNotifications,
  processorAccounts,
  refunds,
  reconciliationRuns,
  rateLimits,
  dashboardUsers,
  dashboardSessions,
  intentStatsHourly,
  intentStatsChanges,
  attemptStatsHourly,
  attemptStatsChanges,
} = buildSchema(kit);
