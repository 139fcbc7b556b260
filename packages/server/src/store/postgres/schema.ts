// PostgreSQL's drizzle tables, for drizzle-kit's migrations: built from the one
// description in ../schema/tables.ts; only the types a kind maps to are PostgreSQL's own.
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { buildSchema, type DialectKit } from '../schema/build.ts';

const kit: DialectKit = {
  column(kind, name) {
    switch (kind) {
      case 'text':
        return text(name);
      // Milliseconds since the epoch, and amounts in minor units: past 2^31, within 2^53.
      case 'int':
        return bigint(name, { mode: 'number' });
      case 'int32':
        return integer(name);
      case 'bool':
        return boolean(name);
      case 'json':
        return jsonb(name);
      case 'serial':
      case 'rowid':
        return bigserial(name, { mode: 'number' }).primaryKey();
    }
  },
  table: (name, columns, extra) => pgTable(name, columns as never, extra as never),
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
