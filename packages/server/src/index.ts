export { createApp, createGateway } from './app.ts';
export { type Clock, manualClock, systemClock } from './clock.ts';
export { type Config, loadConfig, testConfig } from './config.ts';
export type { Deps } from './deps.ts';
export { createLogger } from './logger.ts';
export { createMerchant, ensureDemoMerchant } from './merchants/merchants.ts';
export { createAccounts } from './processors/accounts.ts';
export { createSqliteStore } from './store/sqlite/sqlite-store.ts';
export type { IntentRow, Store, StoreTx } from './store/types.ts';
