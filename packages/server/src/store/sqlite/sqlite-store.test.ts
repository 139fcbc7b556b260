import { testStore } from '../testing/store-suite.ts';
import { createSqliteStore } from './sqlite-store.ts';

// One connection in memory: its races are ordered by that connection's commit queue.
testStore({
  name: 'sqlite',
  create: async () => createSqliteStore({ filename: ':memory:' }),
  wakesOtherConnections: true,
});
