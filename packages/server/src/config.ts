import { dirname } from 'node:path';
import { z } from 'zod';
import { loadInstallSecrets } from './install-secrets.ts';

/** Where webhooks may go: public addresses, plus what the operator allows. */
export interface AddressPolicy {
  /** Any address at all (`KASSA_WEBHOOK_ALLOW_PRIVATE=1`): a closed test install. */
  allowPrivate: boolean;
  /** Host names, addresses or CIDRs allowed although not public (`KASSA_WEBHOOK_ALLOWED_HOSTS`). */
  allowed: readonly string[];
}

export interface Config {
  port: number;
  host: string;
  /** Where shoppers' browsers reach the gateway, e.g. https://pay.example.com. */
  publicUrl: string;
  /** SQLite file path (or `:memory:`); empty on PostgreSQL. */
  databasePath: string;
  /** The PostgreSQL server (`postgres://…`), or null for the embedded SQLite file. */
  postgres: { url: string; schema: string; poolSize: number; statementTimeoutMs: number } | null;
  /** Where this process keeps its files (the install's secrets, the sandbox's books):
   * beside the SQLite file, or KASSA_DATA_DIR. */
  dataDir: string | null;
  /** Gateway processes `kassa start` runs on its port (PostgreSQL only). */
  processes: number;
  /** `NORMAL` (default): durable when the process crashes. `FULL`: also on power loss,
   * at one fsync per commit. */
  sqliteSynchronous: 'NORMAL' | 'FULL';
  /** SQLite's page cache on the main connection. */
  sqliteCacheMb: number;
  /** Failed confirm attempts before an intent fails for good. */
  maxAttempts: number;
  /** Failed confirm attempts one client (address group) may make on an intent. */
  maxAttemptsPerClient: number;
  /** Proxies (addresses or CIDRs) whose `X-Forwarded-For` is believed. */
  trustedProxies: string[];
  /** Confirm calls allowed per client IP per minute (card-testing defence). */
  confirmsPerMinutePerClient: number;
  /** Longest a processor call may take before the attempt is given up, in ms. */
  processorTimeoutMs: number;
  /** Sandbox settings. */
  sandbox: { latencyMs: number; asyncDelayMs: number; notificationSecret: string };
  /** Held (manual-capture) payments not captured within this many ms are canceled. */
  captureWindowMs: number;
  /** `HH:MM` (UTC): reconcile the previous day once a day after this time; off when unset. */
  reconcileDailyAt: string | null;
  /** Which processor takes each payment method. */
  /** Secret that signs the redirect app's notifications. */
  redirectSecret: string;
  /** Whether `kassa start` runs the worker in its own process. */
  runWorker: boolean;
  /** Origins of the example storefront, allowed for the demo merchant. */
  demoOrigins: string[];
  /** The demo merchant's name, shown on the payment page. */
  demoName: string;
  /** Key for card fingerprints: from the environment or the install's secrets file,
   * never from the database. */
  fingerprintSecret: string;
  /** Keys the hashes of client addresses behind per-client limits. */
  clientKeySecret: string;
  /** AES-256 key that seals merchants' processor credentials (KASSA_ENCRYPTION_KEY, 32
   * bytes as 64 hex digits or base64); none: no credentials can be saved or read. */
  encryptionKey: Buffer | null;
  /** Processors' API bases by processor id, from KASSA_<ID>_API_URL (KASSA_STRIPE_API_URL,
   * KASSA_RAZORPAY_API_URL): for tests against a fake; the processor itself when unset. */
  processorApiUrls: Readonly<Record<string, string>>;
  /** Dashboard sign-in attempts per minute from one client (address group). */
  dashboardLoginsPerMinute: number;
  /** Bearer token for `GET /metrics` on the gateway's port; none: not served there. */
  metricsToken: string | null;
  /** A separate port (bound to 127.0.0.1) serving `/metrics` without a token, for a
   * Prometheus on the same machine; in a cluster the primary serves every process's sum. */
  metricsPort: number | null;
  /** The demo install (`npm start`): the demo merchant and seed 002's example
   * credentials exist only then, and only in test mode. */
  demo: boolean;
  /** How long a request holds its Idempotency-Key before a retry may resume its work. */
  idempotencyLeaseMs: number;
  logLevel: string;
  /** How often the worker looks for due jobs, in ms. */
  workerIntervalMs: number;
  /** Jobs the worker runs at once. */
  workerConcurrency: number;
  /** How long a claimed job is locked before another worker may take it over, in ms. */
  jobLockMs: number;
  webhooks: {
    /** Delays before each attempt, in seconds; the first is usually 0. */
    retrySchedule: number[];
    timeoutMs: number;
    /** Deliveries in flight per endpoint, so a slow endpoint cannot hold up the rest. */
    concurrencyPerEndpoint: number;
    /** Deliveries in flight per merchant, so one merchant cannot hold every slot. */
    concurrencyPerMerchant: number;
    /** Webhook endpoints a merchant may have per mode. */
    endpointsPerMerchant: number;
    /** Where endpoints may point, test and live alike (SSRF). */
    addressPolicy: AddressPolicy;
    /** Keep the first 1 KB of each answer in the delivery log. */
    keepResponseBodies: boolean;
  };
}

/** Standard Webhooks' schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_SCHEDULE = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];

const scheduleSchema = z
  .string()
  .regex(
    /^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/,
    'must be seconds separated by commas, e.g. 0,1,2,4',
  )
  .transform((v) => v.split(',').map(Number));

const envSchema = z.object({
  KASSA_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  KASSA_HOST: z.string().default('127.0.0.1'),
  KASSA_PUBLIC_URL: z.url().optional(),
  KASSA_DATABASE_URL: z.string().default('file:./data/kassa.db'),
  KASSA_DATA_DIR: z.string().optional(),
  KASSA_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case PostgreSQL schema name')
    .default('public'),
  KASSA_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  KASSA_DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  KASSA_PROCESSES: z.coerce.number().int().min(1).max(256).default(1),
  KASSA_SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  KASSA_SQLITE_CACHE_MB: z.coerce.number().int().min(1).max(4096).default(8),
  KASSA_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  KASSA_MAX_ATTEMPTS_PER_CLIENT: z.coerce.number().int().min(1).max(100).default(5),
  KASSA_TRUSTED_PROXIES: z.string().default(''),
  KASSA_CONFIRMS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  KASSA_PROCESSOR_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  KASSA_SANDBOX_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  KASSA_SANDBOX_ASYNC_DELAY_MS: z.coerce.number().int().min(0).default(2000),
  KASSA_DEMO_ORIGINS: z.string().default('http://localhost:3000,http://127.0.0.1:3000'),
  KASSA_DEMO_NAME: z.string().trim().min(1).max(100).default('Kassa Demo Store'),
  KASSA_DASHBOARD_LOGINS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  KASSA_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  KASSA_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  KASSA_FINGERPRINT_SECRET: z.string().min(16).optional(),
  KASSA_IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(1000).default(60_000),
  KASSA_DEMO: z.enum(['true', 'false', '1', '0']).default('false'),
  KASSA_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),
  KASSA_SANDBOX_NOTIFICATION_SECRET: z.string().min(16).optional(),
  KASSA_CAPTURE_WINDOW_HOURS: z.coerce
    .number()
    .min(1)
    .max(24 * 30)
    // Below the 7 days Stripe (and most card networks) keep a card authorisation: a hold is
    // released by Kassa before it lapses at the processor.
    .default(156),
  KASSA_REDIRECT_SECRET: z.string().min(16).optional(),
  KASSA_ENCRYPTION_KEY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const key = /^[0-9a-f]{64}$/i.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
      if (key.length !== 32) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be 32 bytes: 64 hex digits or base64 (openssl rand -hex 32)',
        });
        return z.NEVER;
      }
      return key;
    }),
  KASSA_RECONCILE_DAILY_AT: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (UTC)')
    .optional(),
  KASSA_RUN_WORKER: z.enum(['true', 'false', '1', '0']).default('true'),
  KASSA_WORKER_INTERVAL_MS: z.coerce.number().int().min(10).default(250),
  KASSA_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(64),
  KASSA_JOB_LOCK_MS: z.coerce.number().int().min(1000).default(60_000),
  KASSA_WEBHOOK_RETRY_SCHEDULE: scheduleSchema.optional(),
  KASSA_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  KASSA_WEBHOOK_CONCURRENCY_PER_ENDPOINT: z.coerce.number().int().min(1).default(8),
  KASSA_WEBHOOK_CONCURRENCY_PER_MERCHANT: z.coerce.number().int().min(1).default(16),
  KASSA_WEBHOOK_ENDPOINTS_PER_MERCHANT: z.coerce.number().int().min(1).default(16),
  KASSA_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false', '1', '0']).default('false'),
  KASSA_WEBHOOK_ALLOWED_HOSTS: z.string().default(''),
  /** Unset: kept while endpoints can only be on the public internet (nothing is read back
   * that the merchant could not fetch), not once private or listed hosts are allowed. */
  KASSA_WEBHOOK_KEEP_RESPONSE_BODIES: z.enum(['true', 'false', '1', '0']).optional(),
});

const flag = (v: string) => v === 'true' || v === '1';
const list = (v: string) =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Whether KASSA_DATABASE_URL names a PostgreSQL server. */
export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/** `file:./x.db`, `sqlite:./x.db`, a bare path, or `:memory:` → a file path. */
export function sqlitePath(url: string): string {
  if (url === ':memory:') return url;
  const m = /^(?:file|sqlite):(?:\/\/)?(.*)$/.exec(url);
  if (m) return m[1] as string;
  if (/^[a-z]+:\/\//i.test(url)) {
    throw new Error(
      `KASSA_DATABASE_URL: expected file:./kassa.db (SQLite) or postgres://… (PostgreSQL), got ${url.split('@').pop()}`,
    );
  }
  return url;
}

/** KASSA_<ID>_API_URL for each processor pointed elsewhere, by processor id (lower case). */
function processorApiUrls(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const m = /^KASSA_([A-Z0-9]+)_API_URL$/.exec(name);
    if (!m || !value) continue;
    if (!z.url({ protocol: /^https?$/ }).safeParse(value).success) {
      throw new Error(`${name}: must be an http or https URL`);
    }
    out[(m[1] as string).toLowerCase()] = value.replace(/\/$/, '');
  }
  return out;
}

/** Reads the gateway's settings from the environment; throws naming a bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = parsed.data;
  const onPostgres = isPostgresUrl(e.KASSA_DATABASE_URL);
  const databasePath = onPostgres ? '' : sqlitePath(e.KASSA_DATABASE_URL);
  if (!onPostgres && e.KASSA_PROCESSES > 1) {
    throw new Error(
      'KASSA_PROCESSES: several gateway processes need PostgreSQL (KASSA_DATABASE_URL=postgres://…); the SQLite file has one writer',
    );
  }
  const dataDir =
    e.KASSA_DATA_DIR ??
    (onPostgres ? './data' : databasePath === ':memory:' ? null : dirname(databasePath));
  const secrets = loadInstallSecrets(dataDir, env);
  return {
    port: e.KASSA_PORT,
    host: e.KASSA_HOST,
    publicUrl: (e.KASSA_PUBLIC_URL ?? `http://localhost:${e.KASSA_PORT}`).replace(/\/$/, ''),
    databasePath,
    postgres: onPostgres
      ? {
          url: e.KASSA_DATABASE_URL,
          schema: e.KASSA_DATABASE_SCHEMA,
          poolSize: e.KASSA_DATABASE_POOL_SIZE,
          statementTimeoutMs: e.KASSA_DATABASE_STATEMENT_TIMEOUT_MS,
        }
      : null,
    dataDir,
    processes: e.KASSA_PROCESSES,
    sqliteSynchronous: e.KASSA_SQLITE_SYNCHRONOUS,
    sqliteCacheMb: e.KASSA_SQLITE_CACHE_MB,
    maxAttempts: e.KASSA_MAX_ATTEMPTS,
    maxAttemptsPerClient: Math.min(e.KASSA_MAX_ATTEMPTS_PER_CLIENT, e.KASSA_MAX_ATTEMPTS),
    trustedProxies: e.KASSA_TRUSTED_PROXIES.split(',')
      .map((v) => v.trim())
      .filter(Boolean),
    confirmsPerMinutePerClient: e.KASSA_CONFIRMS_PER_MINUTE,
    processorTimeoutMs: e.KASSA_PROCESSOR_TIMEOUT_MS,
    sandbox: {
      latencyMs: e.KASSA_SANDBOX_LATENCY_MS,
      asyncDelayMs: e.KASSA_SANDBOX_ASYNC_DELAY_MS,
      notificationSecret: secrets.sandboxNotificationSecret,
    },
    runWorker: e.KASSA_RUN_WORKER === 'true' || e.KASSA_RUN_WORKER === '1',
    captureWindowMs: e.KASSA_CAPTURE_WINDOW_HOURS * 3_600_000,
    reconcileDailyAt: e.KASSA_RECONCILE_DAILY_AT ?? null,
    redirectSecret: secrets.redirectSecret,
    encryptionKey: e.KASSA_ENCRYPTION_KEY ?? null,
    processorApiUrls: processorApiUrls(env),
    clientKeySecret: secrets.clientKey,
    demo: e.KASSA_DEMO === 'true' || e.KASSA_DEMO === '1',
    idempotencyLeaseMs: e.KASSA_IDEMPOTENCY_LEASE_MS,
    demoName: e.KASSA_DEMO_NAME,
    dashboardLoginsPerMinute: e.KASSA_DASHBOARD_LOGINS_PER_MINUTE,
    metricsToken: e.KASSA_METRICS_TOKEN ?? null,
    metricsPort: e.KASSA_METRICS_PORT ?? null,
    demoOrigins: e.KASSA_DEMO_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    fingerprintSecret: secrets.fingerprintKey,
    logLevel: e.KASSA_LOG_LEVEL,
    workerIntervalMs: e.KASSA_WORKER_INTERVAL_MS,
    workerConcurrency: e.KASSA_WORKER_CONCURRENCY,
    jobLockMs: e.KASSA_JOB_LOCK_MS,
    webhooks: {
      retrySchedule: e.KASSA_WEBHOOK_RETRY_SCHEDULE ?? DEFAULT_RETRY_SCHEDULE,
      timeoutMs: e.KASSA_WEBHOOK_TIMEOUT_MS,
      concurrencyPerEndpoint: e.KASSA_WEBHOOK_CONCURRENCY_PER_ENDPOINT,
      concurrencyPerMerchant: e.KASSA_WEBHOOK_CONCURRENCY_PER_MERCHANT,
      endpointsPerMerchant: e.KASSA_WEBHOOK_ENDPOINTS_PER_MERCHANT,
      addressPolicy: {
        allowPrivate: flag(e.KASSA_WEBHOOK_ALLOW_PRIVATE),
        allowed: list(e.KASSA_WEBHOOK_ALLOWED_HOSTS),
      },
      keepResponseBodies:
        e.KASSA_WEBHOOK_KEEP_RESPONSE_BODIES === undefined
          ? !flag(e.KASSA_WEBHOOK_ALLOW_PRIVATE) && list(e.KASSA_WEBHOOK_ALLOWED_HOSTS).length === 0
          : flag(e.KASSA_WEBHOOK_KEEP_RESPONSE_BODIES),
    },
  };
}

/** Settings for tests: in-memory database, quiet logs. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({
      KASSA_DATABASE_URL: ':memory:',
      KASSA_LOG_LEVEL: 'silent',
      // Tests' receivers listen on loopback.
      KASSA_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost,::1',
      KASSA_WEBHOOK_KEEP_RESPONSE_BODIES: 'true',
    }),
    ...overrides,
  };
}
