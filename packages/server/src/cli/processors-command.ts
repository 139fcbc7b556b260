import { isIP } from 'node:net';
import { ApiError } from '../http/api-error.ts';
import { processorWebhookUrl } from '../intents/processor-notifications.ts';
import { createAccounts } from '../processors/accounts.ts';
import { isPublicAddress } from '../webhooks/ssrf.ts';
import { bootstrap } from './bootstrap.ts';

const envName = (processor: string, field: string) =>
  `KASSA_${processor}_${field}`.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * `kassa processors set <processor> --merchant mer_… --mode test|live --<field> …`: saves a
 * merchant's own account at a processor, sealed with KASSA_ENCRYPTION_KEY. Each field may
 * come from the environment instead (`KASSA_STRIPE_SECRET_KEY`), which keeps secrets out
 * of the shell's history. Prints the webhook URL to register at the processor.
 *
 * `kassa processors list --merchant mer_…`: what is saved, secrets shown as their last 4.
 */
/**
 * A processor on the internet cannot call a gateway on this machine's own names: say so
 * when KASSA_PUBLIC_URL is one, rather than print a URL that cannot work.
 */
function unreachableNote(publicUrl: string, processorId: string): string {
  const host = new URL(publicUrl).hostname.replace(/^\[|\]$/g, '');
  // The webhooks' own test of an address (loopback, private, link-local, …).
  const local =
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    (isIP(host) !== 0 && !isPublicAddress(host));
  if (!local) return '';
  return (
    `  Note: ${host} is this machine's own address; ${processorId} cannot reach it from the internet.\n` +
    `  Start the gateway with KASSA_PUBLIC_URL set to its public https URL, then run\n` +
    `  \`kassa processors list --merchant …\` for the URL to register` +
    (processorId === 'stripe'
      ? ` (or, while developing, forward events with \`stripe listen --forward-to <that URL>\`).\n`
      : '.\n')
  );
}

export async function processorsCommand(
  sub: string | undefined,
  processorId: string | undefined,
  opts: { merchant?: string; mode?: string; fields: Record<string, string | undefined> },
) {
  const deps = await bootstrap();
  try {
    if (!opts.merchant) throw new Error('processors: --merchant mer_… is required');
    const merchant = await deps.store.read((tx) => tx.merchants.get(opts.merchant as string));
    if (!merchant) throw new Error(`processors: no merchant ${opts.merchant}`);
    if (sub === 'list') {
      const rows = await deps.store.read((tx) => tx.accounts.list(merchant.id));
      for (const r of rows) {
        process.stdout.write(
          `${r.processor} ${r.livemode ? 'live' : 'test'} ${r.id}\n` +
            Object.entries(r.hints)
              .map(([k, v]) => `  ${k}: ${v}\n`)
              .join('') +
            `  webhook URL: ${processorWebhookUrl(deps.config.publicUrl, r.processor, r.id)}\n`,
        );
      }
      if (rows.length === 0) process.stdout.write(`No processor accounts for ${merchant.id}.\n`);
      return;
    }
    // Own names only: `__proto__` or `constructor` is no processor.
    const processor =
      processorId && Object.hasOwn(deps.processors, processorId)
        ? deps.processors[processorId]
        : undefined;
    if (!processor) {
      throw new Error(
        `processors set: name a processor (${Object.keys(deps.processors).join(', ')})`,
      );
    }
    if (opts.mode !== 'test' && opts.mode !== 'live') {
      throw new Error('processors set: --mode test or --mode live is required');
    }
    const known = (processor.capabilities.credentials ?? []).map((f) => f.name);
    const unknown = Object.keys(opts.fields).filter((name) => !known.includes(name));
    if (unknown.length > 0) {
      const flag = (name: string) => `--${name.replace(/_/g, '-')}`;
      throw new Error(
        `processors set: ${processor.id} takes ${known.map(flag).join(', ') || 'no fields'}; not ${unknown.map(flag).join(', ')}`,
      );
    }
    const credentials: Record<string, string> = {};
    for (const f of processor.capabilities.credentials ?? []) {
      const value = opts.fields[f.name] ?? process.env[envName(processor.id, f.name)];
      if (value) credentials[f.name] = value.trim();
    }
    const row = await createAccounts(deps).save(
      processor,
      merchant.id,
      opts.mode === 'live',
      credentials,
    );
    process.stdout.write(
      `Saved ${processor.id} ${opts.mode} credentials for ${merchant.id} (${row.id}), encrypted.\n` +
        `Register this webhook endpoint at ${processor.id}:\n` +
        `  ${processorWebhookUrl(deps.config.publicUrl, processor.id, row.id)}\n` +
        (processor.capabilities.webhookEvents
          ? `  events: ${processor.capabilities.webhookEvents.join(', ')}\n`
          : '') +
        unreachableNote(deps.config.publicUrl, processor.id),
    );
  } catch (err) {
    if (err instanceof ApiError) {
      process.stderr.write(`kassa processors: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  } finally {
    await deps.store.close();
  }
}
