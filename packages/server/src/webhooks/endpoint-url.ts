import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ApiError } from '../http/api-error.ts';
import { isPublicAddress } from './ssrf.ts';

/**
 * Live endpoints must be on the public internet (no loopback, private or link-local
 * targets: SSRF). Checked here on the resolved addresses, and again at send time.
 * Test mode may use localhost.
 */
export async function assertEndpointUrl(url: string, livemode: boolean): Promise<void> {
  if (!livemode) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const refuse = (why: string) =>
    new ApiError(400, 'url_not_allowed', `Live webhook endpoints must be public: ${why}.`, {
      param: 'url',
    });
  if (isIP(host)) {
    if (!isPublicAddress(host)) throw refuse(`${host} is not a public address`);
    return;
  }
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    throw refuse(`${host} does not resolve`);
  }
  const bad = addresses.find((a) => !isPublicAddress(a.address));
  if (bad) throw refuse(`${host} resolves to ${bad.address}`);
}
