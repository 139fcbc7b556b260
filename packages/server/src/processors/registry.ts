import { join } from 'node:path';
import {
  createRazorpayProcessor,
  createRedirectProcessor,
  createSandboxProcessor,
  createStripeProcessor,
  type Processor,
  type RazorpayOptions,
  type RedirectOptions,
  type SandboxOptions,
  type StripeOptions,
} from '@kassa/processors';
import type { Config } from '../config.ts';

/** `http://127.0.0.1:12111` as the `stripe` package's host, port and protocol options. */
function apiAt(url: string | undefined) {
  if (!url) return undefined;
  const u = new URL(url);
  const protocol = u.protocol === 'http:' ? ('http' as const) : ('https' as const);
  return { host: u.hostname, port: Number(u.port || (protocol === 'http' ? 80 : 443)), protocol };
}

/** What a caller may change of each adapter's options (the tests: a clock, a fake API). */
export interface ProcessorOverrides {
  /** The clock of the adapters that keep time (the sandbox's async payments, the app). */
  now?: () => number;
  stripe?: Partial<StripeOptions>;
  razorpay?: Partial<RazorpayOptions>;
  sandbox?: Partial<SandboxOptions>;
  redirect?: Partial<RedirectOptions>;
}

/**
 * The processors a gateway offers, one line each, built from its config: the CLI, the test
 * harness and the browser tests all take them from here. Adapters that need a merchant's
 * own account (Stripe) serve only merchants who connected one (`kassa processors set`).
 * A new processor is a folder in @kassa/processors and one line below.
 */
export function defaultProcessors(config: Config, o: ProcessorOverrides = {}) {
  // The test processors' books, beside the database, so settlement reports survive restarts.
  const ledger = (name: string) => (config.dataDir ? join(config.dataDir, name) : undefined);
  const registry = {
    stripe: createStripeProcessor({
      api: apiAt(config.processorApiUrls.stripe),
      // stripe-node's tries and retries fit inside Kassa's own give-up.
      callBudgetMs: config.processorTimeoutMs,
      ...o.stripe,
    }),
    razorpay: createRazorpayProcessor({
      api: config.processorApiUrls.razorpay,
      callBudgetMs: config.processorTimeoutMs,
      ...o.razorpay,
    }),
    sandbox: createSandboxProcessor({
      latencyMs: config.sandbox.latencyMs,
      asyncDelayMs: config.sandbox.asyncDelayMs,
      notificationSecret: config.sandbox.notificationSecret,
      ledgerFile: ledger('sandbox-ledger.db'),
      ...(o.now && { now: o.now }),
      ...o.sandbox,
    }),
    redirect: createRedirectProcessor({
      secret: config.redirectSecret,
      ledgerFile: ledger('redirect-ledger.db'),
      ...(o.now && { now: o.now }),
      ...o.redirect,
    }),
  };
  return registry satisfies Record<string, Processor>;
}
