/** Prefixes of every object id, as in `pi_3Lk…`. */
export const ID_PREFIX = {
  merchant: 'mer',
  paymentIntent: 'pi',
  paymentAttempt: 'pa',
  processorAccount: 'pacct',
  dispute: 'dp',
  refund: 're',
  event: 'evt',
  webhookEndpoint: 'we',
  job: 'job',
  webhookDelivery: 'whd',
  request: 'req',
  dashboardUser: 'usr',
} as const;

export type IdPrefix = (typeof ID_PREFIX)[keyof typeof ID_PREFIX];

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** CSPRNG bytes drawn 4 KB at a time: one getRandomValues call per id cost more than the
 * rest of making it (as nanoid does, bytes are used once and never shared). */
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolAt = POOL_SIZE;

function randomByte(): number {
  if (poolAt === POOL_SIZE) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  return pool[poolAt++] as number;
}

/**
 * A random base62 string of `length` characters from the platform CSPRNG.
 * Works in Node and in browsers (Web Crypto).
 */
export function randomToken(length = 24): string {
  let out = '';
  while (out.length < length) {
    const b = randomByte();
    // 62 * 4 = 248: rejecting bytes >= 248 keeps every character equally likely.
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out;
}

/** Milliseconds as 8 base62 digits; the alphabet is in ASCII order, so these sort by time. */
function timePart(ms: number): string {
  let out = '';
  for (let n = Math.floor(ms); out.length < 8; n = Math.floor(n / 62)) out = ALPHABET[n % 62] + out;
  return out;
}

/**
 * A new prefixed object id: 8 characters of time, then 16 random ones (95 bits). Ids
 * made later sort later, so inserts land at the end of the primary-key index instead
 * of all over it — what keeps writes fast in a table of millions of rows.
 * @example newId('pi') // => 'pi_0Q3xYb7k4fQ2…'
 */
export function newId(prefix: IdPrefix, now = Date.now()): string {
  return `${prefix}_${timePart(now)}${randomToken(16)}`;
}
