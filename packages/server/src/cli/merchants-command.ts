import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { createMerchant } from '../merchants/merchants.ts';
import { openStore } from './bootstrap.ts';

export async function merchantsCommand(opts: {
  name?: string;
  origin: string[];
  live: boolean;
  upiCollect?: boolean;
  json: boolean;
}) {
  if (!opts.name?.trim()) throw new Error('merchants create: --name is required');
  const config = loadConfig();
  const store = await openStore(config);
  try {
    const { merchant, keys } = await createMerchant(store, systemClock, {
      name: opts.name.trim(),
      origins: opts.origin,
      live: opts.live,
      upiCollect: opts.upiCollect ?? false,
    });
    const test = keys.find((k) => !k.livemode);
    const live = keys.find((k) => k.livemode);
    const out = {
      id: merchant.id,
      name: merchant.name,
      allowed_origins: merchant.allowedOrigins,
      publishable_key: test?.publishable,
      secret_key: test?.secret,
      ...(live ? { live_publishable_key: live.publishable, live_secret_key: live.secret } : {}),
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(
        `Created merchant ${out.id} (${out.name})\n` +
          `  publishable key: ${out.publishable_key}\n` +
          `  secret key:      ${out.secret_key}   (shown once; store it now)\n` +
          (live
            ? `  live publishable: ${live.publishable}\n  live secret:      ${live.secret}\n`
            : ''),
      );
    }
  } finally {
    await store.close();
  }
}
