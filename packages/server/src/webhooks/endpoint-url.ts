import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ApiError } from '../http/api-error.ts';
import { type AddressPolicy, addressAllowed } from './ssrf.ts';

/**
 * Endpoints, test and live alike, must be on the public internet unless the operator
 * allows more (SSRF: a merchant must not reach the gateway's own network). Checked here
 * on the resolved addresses, and again on every connection at send time.
 */
export async function assertEndpointUrl(url: string, policy: AddressPolicy): Promise<void> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const refuse = (why: string) =>
    new ApiError(
      400,
      'url_not_allowed',
      `Webhook endpoints must be public: ${why}. The gateway's operator can allow a host with KASSA_WEBHOOK_ALLOWED_HOSTS (hosts, addresses or CIDRs, such as 127.0.0.1,localhost).`,
      { param: 'url' },
    );
  if (isIP(host)) {
    if (!addressAllowed(policy, host, host)) throw refuse(`${host} is not a public address`);
    return;
  }
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    throw refuse(`${host} does not resolve`);
  }
  const bad = addresses.find((a) => !addressAllowed(policy, host, a.address));
  if (bad) throw refuse(`${host} resolves to ${bad.address}`);
}
