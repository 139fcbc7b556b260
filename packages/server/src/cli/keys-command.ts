import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { expireSecretKey } from '../keys/rotation.ts';
import { createLogger } from '../logger.ts';
import { openStore } from './bootstrap.ts';

/**
 * `kassa keys expire --merchant mer_… --mode test|live --last4 abcd`: a leaked secret key
 * ends now, on every process (keys are read from the database on each request). The
 * current key is replaced by a new one, printed once.
 */
export async function keysCommand(opts: { merchant?: string; mode?: string; last4?: string }) {
  if (!opts.merchant) throw new Error('keys expire: --merchant is required');
  if (opts.mode !== 'test' && opts.mode !== 'live') {
    throw new Error('keys expire: --mode test or --mode live is required');
  }
  if (!opts.last4 || !/^[A-Za-z0-9]{4}$/.test(opts.last4)) {
    throw new Error('keys expire: --last4 takes the last 4 characters of the key');
  }
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const store = await openStore(config);
  try {
    const merchant = await store.read((tx) => tx.merchants.get(opts.merchant as string));
    if (!merchant) throw new Error(`keys expire: no merchant ${opts.merchant}`);
    const livemode = opts.mode === 'live';
    const done = await expireSecretKey(
      store,
      systemClock,
      merchant.id,
      livemode,
      opts.last4,
      'cli',
    );
    if (!done)
      throw new Error(`keys expire: no live ${opts.mode} secret key ends in ${opts.last4}`);
    logger.warn(
      {
        audit: 'secret_key_expired',
        merchant: merchant.id,
        livemode,
        last4: opts.last4,
        by: 'cli',
      },
      'secret key expired now from the CLI',
    );
    process.stdout.write(
      `Expired ${done.expired} secret key(s) ending in ${opts.last4}; they answer 401 from now on.\n` +
        (done.secret ? `New secret key (shown once): ${done.secret}\n` : ''),
    );
  } finally {
    await store.close();
  }
}
